/**
 * The opt-in baseline policy with the real CLI and providers on the `dev` stack: enforced, it is a
 * GlobalNetworkPolicy that the API server accepts under the v3.31.3 CRD and that reads back equal to
 * what was rendered (nothing pruned); switched to staged, the StagedGlobalNetworkPolicy is created
 * and the enforced one deleted in the same update; switched off, both are gone. After each change
 * a second preview shows nothing to do.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parse } from "yaml";
import { Cluster, ROOT, Workspace, requireToolchain } from "../support/harness";
import { PATHS } from "../simulator/kube";

const STACK = "dev";
const NAME = "baseline-default-deny";

describe("e2e: baseline policy (enforced, staged, off)", function () {
    this.timeout(30 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    const set = (path: string, value: string) => ws.ok(`config set ${path}`, ["config", "set", "--stack", STACK, "--path", path, value]);
    const up = async (label: string) => {
        await ws.ok(label, ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        await ws.ok("preview --expect-no-changes", ["preview", "--expect-no-changes", "--stack", STACK], { timeoutSeconds: 600 });
    };
    /**
     * The policy as the real calicoctl reads it back, or undefined when it does not exist. A rule's
     * `source` and `destination` are Go structs (api/pkg/apis/projectcalico/v3/policy_common.go:57,
     * `json:"source,omitempty"`, which does not omit a struct), so calicoctl prints an absent one as
     * `{}`; those empty objects are dropped before comparing.
     */
    const readBack = (kind: string) => {
        const r = spawnSync(cluster.calicoctl("v3.31.3"), ["get", kind.toLowerCase(), NAME, "-o", "yaml"], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig, DATASTORE_TYPE: "kubernetes" }, encoding: "utf8" });
        if (r.status !== 0) return undefined;
        const got = parse(r.stdout);
        for (const rule of [...(got.spec?.ingress ?? []), ...(got.spec?.egress ?? [])]) {
            for (const side of ["source", "destination"]) if (rule[side] && Object.keys(rule[side]).length === 0) delete rule[side];
        }
        return got;
    };
    /** What the program rendered for `kind`, from the stdin of its calicoctl command in the state. */
    const rendered = (kind: string) => {
        const state = JSON.parse(ws.stateText(STACK));
        const c = state.checkpoint.latest.resources.find((r: any) => r.type === "command:local:Command" && typeof r.inputs?.stdin === "string" && r.inputs.stdin.includes(`kind: ${kind}\n`));
        return c ? parse(c.inputs.stdin) : undefined;
    };

    before(async () => {
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`));
        ws = new Workspace("baseline-policy", cluster.kubeconfig);
        await ws.initStack(STACK, { "calico:calicoctl.path": cluster.calicoctl("v3.31.3") });
        await ws.ok("up (no policy)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("enforced: the GlobalNetworkPolicy is accepted by the API server and reads back as rendered", async () => {
        await set("calico:policy.baseline.enabled", "true");
        await set("calico:policy.baseline.excludeNamespaces[0]", "ingress-nginx");
        await up("up (baseline enforced)");
        const want = rendered("GlobalNetworkPolicy");
        assert.ok(want, "no GlobalNetworkPolicy command in the state");
        const got = readBack("GlobalNetworkPolicy");
        assert.ok(got, "calicoctl cannot read the policy back");
        assert.deepEqual(got.spec, want.spec, "the API server changed or pruned the policy");
        assert.match(got.spec.selector, /^has\(projectcalico\.org\/namespace\) && projectcalico\.org\/namespace not in \{.*'ingress-nginx'.*\}$/);
    });

    it("staged: the StagedGlobalNetworkPolicy is created and the enforced one deleted in the same update", async () => {
        await set("calico:policy.baseline.mode", "staged");
        await up("up (baseline staged)");
        const staged = readBack("StagedGlobalNetworkPolicy");
        assert.equal(staged?.spec?.stagedAction, "Set");
        assert.deepEqual(staged.spec, rendered("StagedGlobalNetworkPolicy").spec);
        assert.equal(await cluster.kube.get(`${PATHS.calico("globalnetworkpolicies")}/${NAME}`), undefined, "the enforced policy was left behind");
    });

    it("off: both are gone", async () => {
        await set("calico:policy.baseline.enabled", "false");
        await up("up (baseline off)");
        for (const plural of ["globalnetworkpolicies", "stagedglobalnetworkpolicies"]) assert.equal(await cluster.kube.get(`${PATHS.calico(plural)}/${NAME}`), undefined, plural);
    });
});
