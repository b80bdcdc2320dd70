/**
 * STAND-IN for calicoctl in Kubernetes-datastore mode, for the e2e tier only.
 *
 * Why: calicoctl is built from github.com/projectcalico/calico, which needs the separate module
 * github.com/projectcalico/api; the Go module proxy here serves neither at the v3.27.3 / v3.31.3
 * commits, so the real binary cannot be built. This stand-in does what calicoctl does with the
 * commands calico-pulumi runs, as read in calicoctl/commands and libcalico-go/lib/backend/k8s at
 * those tags:
 *
 * - `version`: prints `Client Version:` (the version this wrapper was made for);
 * - `apply -f -`: create, or replace the whole spec of, each projectcalico.org/v3 object, stored as
 *   the crd.projectcalico.org/v1 object of the same kind and name (Kubernetes datastore);
 * - `delete [--skip-not-exists] -f -`;
 * - `patch KIND NAME --patch JSON`: a JSON merge patch of the v3 object; for `node`, the Calico Node
 *   is the Kubernetes Node and spec.bgp.asNumber is its `projectcalico.org/ASNumber` annotation;
 * - `get KIND [NAME] -o yaml|json`: read back as projectcalico.org/v3;
 * - `ipam configure --strictaffinity=B [--max-blocks-per-host=N]`: read the IPAMConfig `default`
 *   (Calico's defaults when absent: autoAllocateBlocks true, strictAffinity false), set the given
 *   fields and write it back, as configure.go's updateIPAMStrictAffinity does; the flag
 *   `--max-blocks-per-host` only where that release's calicoctl has it (v3.31.3).
 *
 * Like the real calicoctl, it has no resource manager for CalicoNodeStatus and refuses it, and before
 * every command but `version` it compares its version with ClusterInformation `default`'s
 * calicoVersion and refuses a mismatch (calicoctl/commands/common/version_mismatch.go,
 * CheckVersionMismatch: skipped when ClusterInformation or its version is absent). It does not
 * repeat libcalico-go's validator: the API server checks each object against the CRD schema.
 */
import { readFileSync } from "node:fs";
import { parseAllDocuments, stringify } from "yaml";
import { Kube, KubeError, PATHS, type KubeObject } from "./kube";

/** v3 kinds calicoctl manages here, with their CRD plurals (crd.projectcalico.org/v1). */
const PLURALS: Record<string, string> = {
    BGPConfiguration: "bgpconfigurations",
    BGPPeer: "bgppeers",
    BGPFilter: "bgpfilters",
    FelixConfiguration: "felixconfigurations",
    KubeControllersConfiguration: "kubecontrollersconfigurations",
    IPPool: "ippools",
    IPReservation: "ipreservations",
    IPAMConfig: "ipamconfigs",
    GlobalNetworkPolicy: "globalnetworkpolicies",
    StagedGlobalNetworkPolicy: "stagedglobalnetworkpolicies",
    GlobalNetworkSet: "globalnetworksets",
    HostEndpoint: "hostendpoints",
    ClusterInformation: "clusterinformations",
};
/** The kinds by every name the CLI accepts for them (lower-case kind or plural). */
const KINDS: Record<string, { kind: string; plural: string }> = Object.fromEntries(
    Object.entries(PLURALS).flatMap(([kind, plural]) => [[kind.toLowerCase(), { kind, plural }], [plural, { kind, plural }]]),
);
const AS_ANNOTATION = "projectcalico.org/ASNumber";

function kindOf(name: string): { kind: string; plural: string } {
    const k = KINDS[name.toLowerCase()];
    if (!k) throw new Error(`resource type '${name}' is not supported`);
    return k;
}

function toV1(o: KubeObject): KubeObject {
    if (o.apiVersion !== "projectcalico.org/v3") throw new Error(`apiVersion ${o.apiVersion} is not projectcalico.org/v3`);
    if (!o.metadata?.name) throw new Error("metadata.name is required");
    const { kind } = kindOf(String(o.kind));
    return { apiVersion: "crd.projectcalico.org/v1", kind, metadata: { name: o.metadata.name, ...(o.metadata.labels ? { labels: o.metadata.labels } : {}), ...(o.metadata.annotations ? { annotations: o.metadata.annotations } : {}) }, spec: o.spec ?? {} };
}

function toV3(o: KubeObject): KubeObject {
    const { name, labels, annotations, resourceVersion, uid, creationTimestamp } = o.metadata as any;
    return { apiVersion: "projectcalico.org/v3", kind: o.kind, metadata: { name, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}), resourceVersion, uid, creationTimestamp }, spec: o.spec ?? {} };
}

function mergePatch(target: any, patch: any): any {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
    const out = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete out[k];
        else out[k] = mergePatch(out[k], v);
    }
    return out;
}

function stdinObjects(): KubeObject[] {
    return parseAllDocuments(readFileSync(0, "utf8")).map((d) => d.toJSON()).filter((o) => o) as KubeObject[];
}

async function run(args: string[], version: string): Promise<number> {
    const kubeconfig = process.env.KUBECONFIG;
    const cmd = args[0];
    if (cmd === "version") {
        console.log(`Client Version:    ${version}\nGit commit:        e2e-standin`);
        if (kubeconfig) console.log(`Cluster Version:   ${version}\nCluster Type:      k8s,kdd`);
        return 0;
    }
    if (process.env.DATASTORE_TYPE !== "kubernetes") throw new Error("only DATASTORE_TYPE=kubernetes is supported");
    if (!kubeconfig) throw new Error("KUBECONFIG is not set");
    const kube = new Kube(kubeconfig);
    if (!args.includes("--allow-version-mismatch")) {
        const cluster = String((await kube.get(`${PATHS.calico("clusterinformations")}/default`))?.spec?.calicoVersion ?? "");
        const bare = (v: string) => v.replace(/^v/, "").split("-")[0];
        if (cluster && bare(cluster) !== bare(version)) throw new Error(`Version mismatch.\nClient Version:   ${version}\nCluster Version:  ${bare(cluster)}\nUse --allow-version-mismatch to override.`);
    }
    switch (cmd) {
        case "apply":
        case "create":
        case "replace": {
            for (const o of stdinObjects()) {
                if (String(o.kind) === "CalicoNodeStatus") throw new Error("resource type 'CalicoNodeStatus' is not supported");
                const v1 = toV1(o);
                const { plural } = kindOf(v1.kind!);
                const path = `${PATHS.calico(plural)}/${v1.metadata.name}`;
                const current = await kube.get(path);
                if (current && cmd === "create") throw new Error(`resource already exists: ${v1.kind}(${v1.metadata.name})`);
                if (!current && cmd === "replace") throw new Error(`resource does not exist: ${v1.kind}(${v1.metadata.name})`);
                if (current) await kube.request("PUT", path, { ...v1, metadata: { ...v1.metadata, resourceVersion: current.metadata.resourceVersion } });
                else await kube.request("POST", PATHS.calico(plural), v1);
                console.log(`Successfully ${cmd === "apply" ? "applied" : cmd + "d"} 1 '${v1.kind}' resource(s)`);
            }
            return 0;
        }
        case "delete": {
            const skip = args.includes("--skip-not-exists");
            for (const o of stdinObjects()) {
                const { kind, plural } = kindOf(String(o.kind));
                try {
                    await kube.request("DELETE", `${PATHS.calico(plural)}/${o.metadata.name}`);
                    console.log(`Successfully deleted 1 '${kind}' resource(s)`);
                } catch (e) {
                    if (!(e instanceof KubeError && e.status === 404)) throw e;
                    if (!skip) throw new Error(`resource does not exist: ${kind}(${o.metadata.name})`);
                }
            }
            return 0;
        }
        case "patch": {
            const [, kindName, name] = args;
            const patch = JSON.parse(args[args.indexOf("--patch") + 1] ?? args.find((a) => a.startsWith("--patch="))!.slice(8));
            if (kindName === "node") {
                const asNumber = patch?.spec?.bgp?.asNumber;
                if (asNumber === undefined) throw new Error("the stand-in patches only spec.bgp.asNumber of a node");
                await kube.mergePatch(`${PATHS.nodes}/${name}`, { metadata: { annotations: { [AS_ANNOTATION]: asNumber === null ? null : String(asNumber) } } });
            } else {
                const { kind, plural } = kindOf(kindName);
                const path = `${PATHS.calico(plural)}/${name}`;
                const current = await kube.get(path);
                if (!current) throw new Error(`resource does not exist: ${kind}(${name})`);
                const v3 = mergePatch(toV3(current), patch);
                await kube.request("PUT", path, { ...toV1(v3), metadata: { ...toV1(v3).metadata, resourceVersion: current.metadata.resourceVersion } });
            }
            console.log(`Successfully patched 1 '${kindName}' resource`);
            return 0;
        }
        case "get": {
            const [, kindName, maybeName] = args;
            const name = maybeName && !maybeName.startsWith("-") ? maybeName : undefined;
            const output = args[args.indexOf("-o") + 1] ?? "yaml";
            const { plural } = kindOf(kindName);
            const items = name ? [await kube.get(`${PATHS.calico(plural)}/${name}`)].filter((x): x is KubeObject => !!x) : await kube.list(PATHS.calico(plural));
            if (name && !items.length) throw new Error(`resource does not exist: ${kindName}(${name})`);
            const objs = items.map(toV3);
            const value = name ? objs[0] : { apiVersion: "projectcalico.org/v3", kind: `${objs[0]?.kind ?? kindName}List`, items: objs };
            process.stdout.write(output === "json" ? JSON.stringify(value, null, 2) + "\n" : stringify(value));
            return 0;
        }
        case "ipam": {
            if (args[1] !== "configure") throw new Error(`ipam ${args[1]} is not implemented by the e2e stand-in`);
            const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
            const strict = flag("strictaffinity");
            if (strict !== "true" && strict !== "false") throw new Error("invalid value. Use true or false to set strictaffinity");
            const max = flag("max-blocks-per-host");
            if (max !== undefined && version.startsWith("v3.27.")) throw new Error("Unknown option: --max-blocks-per-host");
            if (max !== undefined && !/^-?\d+$/.test(max)) throw new Error("invalid value for maxblockhost. Use a valid number");
            const path = `${PATHS.calico("ipamconfigs")}/default`;
            const current = await kube.get(path);
            const spec = { autoAllocateBlocks: true, ...((current?.spec as object) ?? {}), strictAffinity: strict === "true", ...(max !== undefined ? { maxBlocksPerHost: Number(max) } : {}) };
            const obj = { apiVersion: "crd.projectcalico.org/v1", kind: "IPAMConfig", metadata: { name: "default", ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}) }, spec };
            if (current) await kube.request("PUT", path, obj);
            else await kube.request("POST", PATHS.calico("ipamconfigs"), obj);
            console.log(`Successfully set StrictAffinity to: ${strict === "true"}`);
            if (max !== undefined) console.log(`Successfully set MaxBlocksPerHost to: ${max}`);
            return 0;
        }
        default:
            throw new Error(`command '${cmd}' is not implemented by the e2e stand-in`);
    }
}

const version = process.env.E2E_CALICOCTL_VERSION ?? "v3.31.3";
run(process.argv.slice(2), version).then(
    (code) => process.exit(code),
    (e) => {
        console.error(`calicoctl (e2e stand-in): ${(e as Error).message}`);
        process.exit(1);
    },
);
