/**
 * IPAM settings (the cluster's IPAMConfig `default`) with `calicoctl ipam configure`, once Calico
 * is up. calicoctl has no resource manager for IPAMConfiguration at v3.27.3 or v3.31.3 (calicoctl/
 * calicoctl/resourcemgr), so `apply` cannot take it; `ipam configure` is the supported way: it
 * reads the IPAMConfig, sets StrictAffinity (and from v3.31.3 MaxBlocksPerHost) and writes it back
 * (calicoctl/calicoctl/commands/ipam/configure.go, updateIPAMStrictAffinity). Removing the setting
 * configures Calico's defaults again (strictaffinity false, no block limit).
 */
import type { ClusterSettings } from "../config/settings";
import { CALICO_RELEASES } from "../model/versions";
import { CALICOCTL_ENV, calicoctlPrelude } from "./calicoctl";
import type { K8sObject } from "./objects";
import type { LocalCommandSpec } from "./resource-spec";

/** The resource name of the IPAM command. */
export const IPAM_CONFIG = "ipam-config";

/**
 * The IPAMConfig `default` as calicoctl writes it in the Kubernetes datastore (crd.projectcalico.org/v1,
 * with autoAllocateBlocks, which the CRD requires, at Calico's default true), for plan --out and the
 * CRD schema check.
 */
export function renderIpamConfig(s: ClusterSettings): K8sObject | undefined {
    const ipam = s.network.ipam;
    if (!ipam) return undefined;
    const maxBlocks = ipam.maxBlocksPerHost;
    return { apiVersion: "crd.projectcalico.org/v1", kind: "IPAMConfig", metadata: { name: "default" }, spec: { strictAffinity: ipam.strictAffinity ?? false, autoAllocateBlocks: true, ...(maxBlocks !== undefined ? { maxBlocksPerHost: maxBlocks } : {}) } };
}

/** The `calicoctl ipam configure` command for these settings (undefined when calico:network.ipam is unset). */
export function ipamCommand(s: ClusterSettings): LocalCommandSpec | undefined {
    const object = renderIpamConfig(s);
    const ipam = s.network.ipam;
    if (!object || !ipam) return undefined;
    const prelude = calicoctlPrelude(s);
    const args = (strict: boolean, maxBlocks: number) => [
        "ipam",
        "configure",
        `--strictaffinity=${strict}`,
        ...(CALICO_RELEASES[s.calicoVersion].calicoctlMaxBlocksPerHost && ipam.maxBlocksPerHost !== undefined ? [`--max-blocks-per-host=${maxBlocks}`] : []),
    ];
    const createArgs = args(ipam.strictAffinity ?? false, ipam.maxBlocksPerHost ?? 0);
    const deleteArgs = args(false, 0);
    const run = `${prelude}\n"$calicoctl" ${createArgs.join(" ")}`;
    return {
        kind: "localCommand",
        create: run,
        update: run,
        // Calico's defaults again; a cluster being torn down may already have lost Calico.
        delete: `${prelude}\n"$calicoctl" ${deleteArgs.join(" ")} || true`,
        environment: CALICOCTL_ENV,
        needsKubeconfig: true,
        object,
        calicoctl: { create: { args: createArgs }, delete: { args: deleteArgs, mayFail: true } },
    };
}
