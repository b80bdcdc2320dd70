/**
 * Turns planned resources into Pulumi resources. This is the only place that knows which Pulumi
 * class registers which kind of planned resource; it makes no domain decisions.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { mapSecrets, type K8sObject } from "../lib/render/objects";
import type { PlannedResource } from "../lib/render/plan";
import { crdAliasNames } from "../lib/render/operator";
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

/** Replace every Secret with a Pulumi secret of its plaintext. */
export function revealSecrets<T>(value: T): T {
    return mapSecrets(value, (s: Secret) => pulumi.secret(s.reveal()));
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

/**
 * A transform for a CRD-holding ConfigFile: the engine runs a component's transforms for the children
 * the provider registers too (pulumi pkg/resource/deploy/source_eval.go, parent transforms), so each
 * CRD child gets the aliases of its name under the other releases' holder (crdAliasNames).
 */
export function crdAliasTransform(holder: string): pulumi.ResourceTransform {
    return (args) => {
        const names = crdAliasNames(holder, args.type, args.name);
        if (!names.length) return undefined;
        return { props: args.props, opts: { ...args.opts, aliases: [...(args.opts.aliases ?? []), ...names.map((name) => ({ name }))] } };
    };
}

/** Register every planned resource under `parent`, in order, wiring dependsOn by planned name. */
export function registerAll(parent: pulumi.ComponentResource, planned: readonly PlannedResource[], ctx: RegistrationContext): void {
    for (const p of planned) {
        const dependsOn = p.dependsOn.map((d) => {
            const r = ctx.registered.get(d);
            if (!r) throw new Error(`internal: ${p.name} depends on ${d}, which is not registered yet`);
            return r;
        });
        const k8sOpts: pulumi.CustomResourceOptions = { parent, dependsOn, provider: ctx.provider, ...(p.retainOnDelete ? { retainOnDelete: true } : {}) };
        const spec = p.spec;
        let resource: pulumi.Resource;
        switch (spec.kind) {
            case "object":
                resource = registerObject(p, spec.object, k8sOpts);
                break;
            case "manifest":
                resource = new k8s.yaml.v2.ConfigFile(p.name, { file: spec.source }, { ...k8sOpts, transforms: spec.holdsCrds ? [crdAliasTransform(p.name)] : undefined });
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
                    { parent, dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
                );
                break;
            }
            case "remoteCommand":
                resource = new command.remote.Command(
                    p.name,
                    {
                        connection: { host: spec.host, user: spec.user, port: spec.port, privateKey: pulumi.secret(spec.privateKey.reveal()) },
                        create: spec.create,
                        update: spec.create,
                        addPreviousOutputInEnv: false,
                        // The node's output is neither shown nor stored in plain text.
                        logging: "none",
                    },
                    { parent, dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
                );
                break;
            case "chart":
                resource = new k8s.helm.v4.Chart(p.name, { chart: spec.chart, version: spec.version, repositoryOpts: spec.repo ? { repo: spec.repo } : undefined, namespace: spec.namespace, values: spec.values }, k8sOpts);
                break;
        }
        ctx.registered.set(p.name, resource);
    }
}
