/**
 * IP pool changes on a deployed stack: refused where the operator of that line would not carry them
 * to the IPPools (operator v1.32.7 hands pools to calico-node, which never changes an existing one;
 * v1.40.3's writes go through Calico's API, which refuses a new CIDR or block size), allowed where it
 * does. The e2e `day2-installation` scenario shows both on the real operators.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { poolChangeRefusal, type ConfiguredPool } from "../../lib/model/pool-changes";
import { computeOutputs } from "../../lib/render/outputs";
import { loadSettings } from "../../lib/pipeline";
import { runProgram } from "../../components/program";
import { runStackSettled, setStackReferenceOutputs } from "../support/mocks";
import { baseConfig, toPulumiConfig } from "../support/configs";

const v4: ConfiguredPool = { name: "pool-a", cidr: "10.244.0.0/16", family: 4, blockSize: 26, encapsulation: "VXLAN", natOutgoing: true, nodeSelector: "all()", disableBGPExport: false };
const v6: ConfiguredPool = { name: "pool-v6", cidr: "fd00:10::/48", family: 6, blockSize: 122, encapsulation: "None", natOutgoing: false, nodeSelector: "all()", disableBGPExport: false };
/** What the stack exported for `pools` (the ipPools output has no `family`). */
const deployed = (...pools: ConfiguredPool[]) => pools.map(({ family: _f, ...p }) => p);

describe("IP pool changes on a deployed stack", () => {
    it("a new stack, or a stack whose output holds no pools, is never refused", () => {
        for (const previous of [undefined, null, [], "x", {}]) assert.equal(poolChangeRefusal(previous, [v4], "v3.27.3", undefined), undefined);
    });

    it("no change is allowed at both versions", () => {
        for (const version of ["v3.27.3", "v3.31.3"] as const) assert.equal(poolChangeRefusal(deployed(v4), [v4], version, version), undefined);
    });

    describe("v3.27.3 (operator v1.32.7: calico-node creates the pool once)", () => {
        for (const [field, value] of [["encapsulation", "IPIP"], ["natOutgoing", false], ["nodeSelector", "rack == 'a'"], ["blockSize", 24], ["cidr", "10.245.0.0/16"], ["disableBGPExport", true]] as const) {
            it(`changing ${field} is refused with the field, both values and the runbook`, () => {
                const m = poolChangeRefusal(deployed(v4), [{ ...v4, [field]: value }], "v3.27.3", "v3.27.3");
                assert.match(m!, new RegExp(`^calico:network\\.ipPools: changing the IPv4 pool "10\\.244\\.0\\.0/16" \\(${field} `));
                assert.ok(m!.includes(JSON.stringify(value)) && m!.includes("never the IPPool") && m!.includes('README "Runbook: changing an IP pool"'), m);
            });
        }
        it("removing the pool is refused", () => {
            assert.match(poolChangeRefusal(deployed(v4, v6), [v6], "v3.27.3", "v3.27.3")!, /^calico:network\.ipPools: removing the IPv4 pool "10\.244\.0\.0\/16" is refused: operator v1\.32\.7 never deletes a pool/);
        });
        it("adding a pool of the other family is allowed (calico-node creates it: none of that family exists)", () => {
            assert.equal(poolChangeRefusal(deployed(v4), [v4, v6], "v3.27.3", "v3.27.3"), undefined);
        });
        it("a renamed pool with the same values is allowed (v1.32.7 names it default-ipv4-ippool whatever the config says)", () => {
            assert.equal(poolChangeRefusal(deployed(v4), [{ ...v4, name: "other" }], "v3.27.3", "v3.27.3"), undefined);
        });
    });

    describe("v3.31.3 (operator v1.40.3: updates its pools through projectcalico.org/v3)", () => {
        for (const [field, value] of [["cidr", "10.245.0.0/16"], ["blockSize", 24]] as const) {
            it(`changing ${field} is refused, with the way that works`, () => {
                const m = poolChangeRefusal(deployed(v4), [{ ...v4, [field]: value }], "v3.31.3", "v3.31.3");
                assert.match(m!, new RegExp(`^calico:network\\.ipPools: changing pool "pool-a" \\(${field} `));
                assert.ok(m!.includes("Add the new range as a pool with a new name"), m);
            });
        }
        for (const [field, value] of [["encapsulation", "IPIP"], ["natOutgoing", false], ["nodeSelector", "rack == 'a'"], ["disableBGPExport", true]] as const) {
            it(`changing ${field} is allowed (carried to the IPPool)`, () => {
                assert.equal(poolChangeRefusal(deployed(v4), [{ ...v4, [field]: value }], "v3.31.3", "v3.31.3"), undefined);
            });
        }
        it("renaming a pool over the same CIDR is refused", () => {
            assert.match(poolChangeRefusal(deployed(v4), [{ ...v4, name: "pool-b" }], "v3.31.3", "v3.31.3")!, /renaming pool "pool-a" to "pool-b" \(same CIDR "10\.244\.0\.0\/16"\) is refused/);
        });
        it("adding a pool under a new name and CIDR, and removing one, are allowed", () => {
            const b = { ...v4, name: "pool-b", cidr: "10.245.0.0/16" };
            assert.equal(poolChangeRefusal(deployed(v4), [v4, b], "v3.31.3", "v3.31.3"), undefined);
            assert.equal(poolChangeRefusal(deployed(v4, b), [b], "v3.31.3", "v3.31.3"), undefined);
        });
        it("an output from before disableBGPExport was exported compares only what it holds", () => {
            const { disableBGPExport: _d, ...old } = deployed(v4)[0];
            assert.equal(poolChangeRefusal([old], [{ ...v4, disableBGPExport: true }], "v3.31.3", "v3.31.3"), undefined);
        });
    });

    it("a pool change in the same update as an upgrade is refused; the upgrade alone is not", () => {
        assert.match(poolChangeRefusal(deployed(v4), [{ ...v4, encapsulation: "IPIP" }], "v3.31.3", "v3.27.3")!, /upgrades Calico from v3\.27\.3 to v3\.31\.3 and also changes the IP pools/);
        assert.equal(poolChangeRefusal(deployed(v4), [v4], "v3.31.3", "v3.27.3"), undefined);
    });

    it("the stack's ipPools output holds every compared field, so a deployed stack can be compared", () => {
        const out = computeOutputs(loadSettings(baseConfig()).settings).ipPools[0];
        for (const f of ["name", "cidr", "blockSize", "encapsulation", "natOutgoing", "nodeSelector", "disableBGPExport"]) assert.ok(f in out, f);
    });
});

describe("the program refuses a pool change from the stack's own last outputs (mock runtime)", () => {
    const self = "organization/calico/test";
    afterEach(() => setStackReferenceOutputs(self, {}));

    it("v3.31.3: a new CIDR for a deployed pool is a RunError before anything of Calico is registered", async () => {
        const config = baseConfig();
        const settings = loadSettings(config).settings;
        setStackReferenceOutputs(self, { calicoVersion: settings.calicoVersion, ipPools: computeOutputs(settings).ipPools });
        config["calico:network"].ipPools[0].cidr = "10.244.0.0/18";
        const run = await runStackSettled(() => runProgram(toPulumiConfig(config)));
        assert.ok(pulumi.RunError.isInstance(run.error), String(run.error));
        assert.match((run.error as Error).message, /^calico:network\.ipPools: changing pool .*\(cidr "10\.244\.0\.0\/17" → "10\.244\.0\.0\/18"\) is refused/);
        assert.deepEqual(run.registrations.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack"), ["pulumi:pulumi:StackReference"]);
    });
});
