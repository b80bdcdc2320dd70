/**
 * calico:network.ipam: `calicoctl ipam configure` per version (the flags each release's calicoctl
 * has), Calico's defaults on delete, the block-capacity warning, and the IPAMConfig it leaves
 * against the upstream CRD (test/render/schema.test.ts validates every rendered object).
 */
import { strict as assert } from "node:assert";
import { loadSettings } from "../../lib/pipeline";
import { ipamCommand, renderIpamConfig } from "../../lib/render/ipam";
import { planResources } from "../../lib/render";
import { baseFor } from "../config/upstream-agreement";
import { setPath } from "../support/configs";
import type { CalicoVersion } from "../../lib/model/versions";

const settingsWith = (version: CalicoVersion, ipam: unknown, edit?: (c: ReturnType<typeof baseFor>) => void) => {
    const c = baseFor(version);
    setPath(c, "calico:network.ipam", ipam);
    edit?.(c);
    return loadSettings(c);
};
const lastLine = (script: string) => script.split("\n").pop()!;

describe("IPAM configuration (calicoctl ipam configure)", () => {
    it("v3.31.3: strict affinity and the block limit; delete sets Calico's defaults again", () => {
        const cmd = ipamCommand(settingsWith("v3.31.3", { strictAffinity: true, maxBlocksPerHost: 4 }).settings)!;
        assert.equal(lastLine(cmd.create), '"$calicoctl" ipam configure --strictaffinity=true --max-blocks-per-host=4');
        assert.equal(cmd.update, cmd.create);
        assert.equal(lastLine(cmd.delete!), '"$calicoctl" ipam configure --strictaffinity=false --max-blocks-per-host=0 || true');
        assert.equal(cmd.stdin, undefined);
        assert.deepEqual(renderIpamConfig(settingsWith("v3.31.3", { strictAffinity: true, maxBlocksPerHost: 4 }).settings)!.spec, { strictAffinity: true, autoAllocateBlocks: true, maxBlocksPerHost: 4 });
    });

    it("v3.27.3: only --strictaffinity, which its calicoctl has", () => {
        const cmd = ipamCommand(settingsWith("v3.27.3", { strictAffinity: true }).settings)!;
        assert.equal(lastLine(cmd.create), '"$calicoctl" ipam configure --strictaffinity=true');
        assert.equal(lastLine(cmd.delete!), '"$calicoctl" ipam configure --strictaffinity=false || true');
    });

    it("runs after Calico is up, and not at all when unset", () => {
        const plan = planResources(settingsWith("v3.31.3", { strictAffinity: true }).settings);
        const ipam = plan.find((p) => p.name === "calico-ipam-config")!;
        assert.deepEqual(ipam.dependsOn, ["calico-installation", "calico-apiserver"]);
        assert.equal(planResources(loadSettings(baseFor("v3.31.3")).settings).some((p) => p.name === "calico-ipam-config"), false);
    });

    it("warns when the block limit cannot hold kubelet's 110 pods per node, saying what strict affinity does to the rest", () => {
        const strict = settingsWith("v3.31.3", { strictAffinity: true, maxBlocksPerHost: 1 });
        const w = strict.warnings.find((x) => x.path === "calico:network.ipam.maxBlocksPerHost");
        assert.ok(w, JSON.stringify(strict.warnings));
        assert.match(w.message, /1 block\(s\) of \/26 in 10\.244\.0\.0\/\d+ hold 64 addresses per node, fewer than the 110 pods .*with strictAffinity the pods beyond that get no address/);
        assert.equal(settingsWith("v3.31.3", { strictAffinity: true, maxBlocksPerHost: 2 }).warnings.some((x) => x.path === "calico:network.ipam.maxBlocksPerHost"), false, "128 addresses hold 110 pods");
        assert.equal(settingsWith("v3.31.3", { strictAffinity: true, maxBlocksPerHost: 0 }).warnings.some((x) => x.path === "calico:network.ipam.maxBlocksPerHost"), false, "0 is no limit");
    });

    it("refuses a block limit without strict affinity, as libcalico-go's SetIPAMConfig does (found by the real calicoctl)", () => {
        for (const ipam of [{ maxBlocksPerHost: 1 }, { strictAffinity: false, maxBlocksPerHost: 20 }]) {
            assert.throws(() => settingsWith("v3.31.3", ipam), (e: { issues: { path: string; message: string }[] }) => e.issues.some((i) => i.path === "calico:network.ipam.maxBlocksPerHost" && /needs calico:network\.ipam\.strictAffinity: true/.test(i.message)), JSON.stringify(ipam));
        }
        // 0 is "no limit", which Calico takes without strict affinity.
        assert.doesNotThrow(() => settingsWith("v3.31.3", { strictAffinity: false, maxBlocksPerHost: 0 }));
    });

    it("refuses an empty block and out-of-range limits, by key", () => {
        for (const [ipam, path] of [[{}, "calico:network.ipam"], [{ maxBlocksPerHost: -1 }, "calico:network.ipam.maxBlocksPerHost"], [{ maxBlocksPerHost: 2147483648 }, "calico:network.ipam.maxBlocksPerHost"], [{ strictAffinity: "yes" }, "calico:network.ipam.strictAffinity"]] as const) {
            assert.throws(() => settingsWith("v3.31.3", ipam), (e: { issues: { path: string }[] }) => e.issues.some((i) => i.path === path), JSON.stringify(ipam));
        }
    });
});
