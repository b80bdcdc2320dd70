/**
 * Turns planned resources into Pulumi resources. This is the only place that knows which Pulumi
 * class registers which kind of planned resource; it makes no domain decisions.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { mapSecrets, type K8sObject } from "../lib/render/objects";
import { TYPES, type PlannedResource } from "../lib/render/resource-spec";
import { crdAliasNames } from "../lib/render/operator";
import { protectsManifestChild } from "../lib/render/safety";
import type { Secret } from "../lib/config/secret";

/** Shared state while the components register their resources. */
export interface RegistrationContext {
    /** Provider for every Kubernetes resource. */
    readonly provider: k8s.Provider;
    /** Kubeconfig for calicoctl, when it comes from config rather than the ambient KUBECONFIG. */
    readonly kubeconfig?: pulumi.Output<string>;
    /** The kubeconfig context the provider uses; calicoctl and the waits use the same one. */
    readonly kubeContext?: pulumi.Input<string>;
    /** Resources registered so far, by planned name, for dependsOn. */
    readonly registered: Map<string, pulumi.Resource>;
}

/**
 * A Secret as a Pulumi secret: of the value given in code (a `pulumi.Input<string>`), or of the
 * plaintext read from config.
 */
export function secretOutput(s: Secret): pulumi.Output<string> {
    return pulumi.secret(s.deferred !== undefined ? (s.deferred as pulumi.Input<string>) : s.reveal());
}

/** Replace every Secret with a Pulumi secret (secretOutput). */
export function revealSecrets<T>(value: T): T {
    return mapSecrets(value, secretOutput);
}

type ObjectCtor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** Typed classes for the built-in kinds; anything else is a CustomResource. */
const OBJECT_CLASSES: Readonly<Record<string, ObjectCtor>> = {
    "kubernetes:core/v1:ConfigMap": k8s.core.v1.ConfigMap,
    "kubernetes:core/v1:Secret": k8s.core.v1.Secret,
    "kubernetes:core/v1:Service": k8s.core.v1.Service,
    "kubernetes:core/v1:Namespace": k8s.core.v1.Namespace,
    "kubernetes:core/v1:NodePatch": k8s.core.v1.NodePatch,
    "kubernetes:apps/v1:DaemonSet": k8s.apps.v1.DaemonSet,
    "kubernetes:apps/v1:DaemonSetPatch": k8s.apps.v1.DaemonSetPatch,
    "kubernetes:rbac.authorization.k8s.io/v1:Role": k8s.rbac.v1.Role,
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": k8s.rbac.v1.RoleBinding,
};

function registerObject(p: PlannedResource, object: K8sObject, opts: pulumi.CustomResourceOptions): pulumi.Resource {
    const ctor = OBJECT_CLASSES[p.type];
    const revealed = revealSecrets(object);
    if (ctor) {
        const { apiVersion: _a, kind: _k, ...args } = revealed;
        return new ctor(p.name, args, opts);
    }
    return new k8s.apiextensions.CustomResource(p.name, revealed as k8s.apiextensions.CustomResourceArgs, opts);
}

/** A transform's result: the resource as it is, with `{ name }` aliases added to its own. */
function withNameAliases(args: pulumi.ResourceTransformArgs, names: readonly string[]): pulumi.ResourceTransformResult {
    return { props: args.props, opts: { ...args.opts, aliases: [...(args.opts.aliases ?? []), ...names.map((name) => ({ name }))] } };
}

/**
 * A transform for a CRD-holding ConfigFile: the engine runs a component's transforms for the children
 * the provider registers too (pulumi pkg/resource/deploy/source_eval.go, parent transforms), so each
 * CRD child gets the aliases of its name under the other releases' holder (crdAliasNames). Children
 * that keep their holder follow a renamed ConfigFile by themselves: the engine aliases a child whose
 * name starts with its parent's name to the same name under the parent's old name
 * (step_generator.go inheritedChildAlias, v3.248.0).
 */
export function crdAliasTransform(holder: string, formerHolders: readonly string[]): pulumi.ResourceTransform {
    return (args) => {
        const names = crdAliasNames(holder, formerHolders, args.type, args.name);
        if (!names.length) return undefined;
        return withNameAliases(args, names);
    };
}

/**
 * A transform for a sub-component whose plan holds provider-side components (yaml/v2 ConfigFile,
 * helm/v4 Chart) with aliases. Such a component is registered twice: by this program (remote), and
 * then by the provider inside Construct, with the options the provider reads from the Construct
 * request. The engine sends aliases there only in a field that the provider build this project can
 * use does not know (pulumi sdk/go/common/resource/plugin/provider_plugin.go Construct sends alias
 * specs in field 29 at v3.248.0; pulumi-kubernetes 4.25.0, built on sdk v3.215.0, reads only the
 * URN list of field 14, sdk/go/pulumi/provider.go construct), so the provider's registration would
 * carry none, and the component and every child would be recreated (found by the e2e rename
 * scenario). The engine runs a parent's transforms for what the provider registers too
 * (pkg/resource/deploy/source_eval.go), so this transform gives the provider's registration its
 * aliases; the children then follow by the engine's inherited child aliases.
 */
export function providerComponentAliasTransform(aliases: ReadonlyMap<string, readonly string[]>): pulumi.ResourceTransform {
    return (args) => {
        const names = aliases.get(args.name);
        if (!names || !PROVIDER_COMPONENT_TYPES.has(args.type)) return undefined;
        return withNameAliases(args, names);
    };
}

/**
 * Protects the children of a protected operator manifest that pod networking depends on
 * (protectsManifestChild: the CRDs, the operator's Namespace and Deployment), and keeps the CRDs in
 * the cluster should they ever leave the program (`retainOnDelete`), since deleting a CRD deletes
 * every object of its kind cluster-wide. The children are constructed by the provider, so the
 * option reaches them through a transform.
 */
export const protectChildrenTransform: pulumi.ResourceTransform = (args) => {
    if (!protectsManifestChild(args.type, args.name)) return undefined;
    const crd = args.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
    return { props: args.props, opts: { ...args.opts, protect: true, ...(crd ? { retainOnDelete: true } : {}) } };
};

/** The Pulumi types that the Kubernetes provider constructs (multi-language components). */
export const PROVIDER_COMPONENT_TYPES: ReadonlySet<string> = new Set([TYPES.configFile, TYPES.chart]);

/** Register every planned resource under `parent`, in order, wiring dependsOn by planned name. */
export function registerAll(parent: pulumi.ComponentResource, planned: readonly PlannedResource[], ctx: RegistrationContext): void {
    for (const p of planned) {
        const dependsOn = p.dependsOn.map((d) => {
            const r = ctx.registered.get(d);
            if (!r) throw new Error(`internal: ${p.name} depends on ${d}, which is not registered yet`);
            return r;
        });
        const aliases = p.aliases?.map((name) => ({ name }));
        const k8sOpts: pulumi.CustomResourceOptions = { parent, dependsOn, provider: ctx.provider, aliases, ...(p.retainOnDelete ? { retainOnDelete: true } : {}), ...(p.protect ? { protect: true } : {}) };
        const spec = p.spec;
        let resource: pulumi.Resource;
        switch (spec.kind) {
            case "object":
                resource = registerObject(p, spec.object, k8sOpts);
                break;
            case "manifest":
                resource = new k8s.yaml.v2.ConfigFile(
                    p.name,
                    { file: spec.source },
                    // Not `protect` on the ConfigFile itself: the provider's Go SDK would pass it on to every child
                    // (sdk/go/pulumi/context.go:1393, v3.248.0), and an upgrade must be able to delete a child that
                    // a release dropped; the transform protects the children that must stay.
                    { ...k8sOpts, protect: undefined, transforms: [...(spec.crdHolderAliases ? [crdAliasTransform(p.name, spec.crdHolderAliases)] : []), ...(p.protect ? [protectChildrenTransform] : [])] },
                );
                break;
            case "localCommand": {
                const environment: Record<string, pulumi.Input<string>> = { ...spec.environment };
                if (spec.needsKubeconfig && ctx.kubeconfig) environment.CALICO_KUBECONFIG = ctx.kubeconfig;
                if (spec.needsKubeconfig && ctx.kubeContext !== undefined) environment.CALICO_KUBE_CONTEXT = ctx.kubeContext;
                resource = new command.local.Command(
                    p.name,
                    {
                        create: spec.create,
                        update: spec.update,
                        delete: spec.delete,
                        stdin: spec.stdin,
                        interpreter: ["/bin/sh", "-c"],
                        environment,
                        addPreviousOutputInEnv: false,
                        // Errors stay visible; stdout (which may echo objects) is neither logged nor stored in plain text.
                        logging: "stderr",
                    },
                    { parent, dependsOn, aliases, additionalSecretOutputs: spec.publicStdout ? ["stderr"] : ["stdout", "stderr"] },
                );
                break;
            }
            case "remoteCommand":
                resource = new command.remote.Command(
                    p.name,
                    {
                        connection: { host: spec.host, user: spec.user, port: spec.port, privateKey: secretOutput(spec.privateKey) },
                        create: spec.create,
                        update: spec.create,
                        addPreviousOutputInEnv: false,
                        // The node's output is neither shown nor stored in plain text.
                        logging: "none",
                    },
                    { parent, dependsOn, aliases, additionalSecretOutputs: ["stdout", "stderr"] },
                );
                break;
            case "chart":
                resource = new k8s.helm.v4.Chart(p.name, { chart: spec.chart, version: spec.version, repositoryOpts: spec.repo ? { repo: spec.repo } : undefined, namespace: spec.namespace, values: spec.values }, k8sOpts);
                break;
        }
        ctx.registered.set(p.name, resource);
    }
}
