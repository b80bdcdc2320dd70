/**
 * A stack deployed before resource names carried their CalicoCluster's name updates in place with
 * the real engine: `pulumi up` with the program as it was (commit UNPREFIXED_NAMES_COMMIT, from git
 * history), then the current program's preview changes nothing (every resource is `same`, found
 * through its alias), its `up` deletes and creates nothing in the API server, and the state holds
 * only prefixed names. The ConfigFile children follow their renamed parent through the engine's
 * inherited child aliases (pulumi pkg/resource/deploy/step_generator.go inheritedChildAlias,
 * v3.248.0), which only the real engine applies; the mock test compares the URNs of the rest.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Cluster, ROOT, Workspace, WatchRecorder, requireToolchain } from "../support/harness";
import { PATHS } from "../simulator/kube";
import { ADDED_SINCE_UNPREFIXED, UNPREFIXED_NAMES_COMMIT, UPDATED_SINCE_UNPREFIXED } from "../../test/support/history";

const STACK = "small";

const PROGRAM_FILES = ["Pulumi.yaml", "package.json", "index.ts", "main.ts", "components", "lib"];

describe("e2e: a stack deployed with unprefixed names updates in place", function () {
    this.timeout(30 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    const inHistory = spawnSync("git", ["-C", ROOT, "cat-file", "-e", `${UNPREFIXED_NAMES_COMMIT}^{commit}`]).status === 0;

    before(async function () {
        if (!inHistory) {
            console.warn(`SKIPPED rename scenario: commit ${UNPREFIXED_NAMES_COMMIT.slice(0, 7)} is not in this clone's history (a shallow clone?)`);
            return this.skip();
        }
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`));
        ws = new Workspace("rename", cluster.kubeconfig);
        // The program as it was: its own Pulumi.yaml (no main:), package.json and index.ts program,
        // and its stack file, which stays: an existing stack keeps its config across the upgrade.
        for (const f of [...PROGRAM_FILES, "stacks"]) rmSync(join(ws.dir, f), { recursive: true, force: true });
        execFileSync("sh", ["-c", `git -C "$1" archive "$2" Pulumi.yaml package.json index.ts components lib stacks | tar -x -C "$3"`, "sh", ROOT, UNPREFIXED_NAMES_COMMIT, ws.dir]);
        await ws.initStack(STACK, {
            "calico:calicoctl.path": cluster.calicoctl("v3.31.3"),
            // Not what this scenario is about: no prometheus-operator CRDs in this cluster.
            "calico:monitoring.serviceMonitors.crdsPresent": "false",
        });
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("up with the unprefixed program", async () => {
        await ws.ok("up (unprefixed names)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        assert.match(ws.stateText(STACK), /CalicoInstallation\$kubernetes:operator\.tigera\.io\/v1:Installation::installation"/);
    });

    it("the current program's preview: every resource is the same resource, found by its alias", async () => {
        for (const f of PROGRAM_FILES) rmSync(join(ws.dir, f), { recursive: true, force: true });
        for (const f of PROGRAM_FILES) cpSync(join(ROOT, f), join(ws.dir, f), { recursive: true });
        const preview = await ws.pulumi("preview (prefixed names)", ["preview", "--json", "--stack", STACK], { timeoutSeconds: 600 });
        const report = JSON.parse(preview.stdout);
        assert.equal(preview.code, 0, `preview failed:\n${(report.diagnostics ?? []).map((d: { message: string }) => d.message).join("\n")}\n${preview.stderr}`);
        // The JSON preview lists changed steps only (plus reads); its change summary counts the rest.
        const steps: { op: string; urn: string }[] = report.steps ?? [];
        // Only the resources the program gained since that commit are created; nothing else changes.
        const isAdded = (s: { op: string; urn: string }) => s.op === "create" && ADDED_SINCE_UNPREFIXED.includes(s.urn.split("::").pop()!);
        // Changed since that commit for other reasons (history.ts): updated in place, never replaced.
        const isUpdated = (s: { op: string; urn: string }) => s.op === "update" && UPDATED_SINCE_UNPREFIXED.includes(s.urn.split("::").pop()!);
        const changed = steps.filter((s) => !["same", "read"].includes(s.op) && !isAdded(s) && !isUpdated(s)).map((s) => `${s.op} ${s.urn.split("::").slice(2).join("::")}`);
        assert.deepEqual(changed, [], "the rename would change resources");
        const summary: Record<string, number> = report.changeSummary ?? {};
        assert.ok((summary.same ?? 0) > 20, `change summary ${JSON.stringify(summary)}: the resources were not found as the same`);
        const added = steps.filter(isAdded).length;
        const updated = steps.filter(isUpdated).length;
        // "read": the program's StackReference to its own last outputs.
        assert.deepEqual(Object.entries(summary).filter(([op, n]) => !["same", "read"].includes(op) && n > 0 && !(op === "create" && n === added) && !(op === "update" && n === updated)).map(([op, n]) => `${op} ${n}`), [], `change summary ${JSON.stringify(summary)}`);
    });

    it("up deletes and creates nothing in the cluster, and the state holds only prefixed names", async () => {
        const watch = new WatchRecorder(cluster.kube, [PATHS.crds, PATHS.nodes, PATHS.services("calico-system"), PATHS.deployments("tigera-operator"), PATHS.calico("ippools"), PATHS.calico("bgpconfigurations")]);
        try {
            await ws.ok("up (prefixed names)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        } finally {
            watch.stop();
        }
        assert.deepEqual(watch.events.filter((e) => e.type === "DELETED").map((e) => `${e.object.kind} ${e.object.metadata.name}`), [], "objects deleted by the rename");
        const state = JSON.parse(ws.stateText(STACK));
        const resources: { urn: string; type: string }[] = state.checkpoint?.latest?.resources ?? state.latest?.resources ?? [];
        const names = resources.filter((r) => !r.type.startsWith("pulumi:")).map((r) => r.urn.split("::").pop()!);
        assert.ok(names.length > 20, `${names.length} resources in the state`);
        assert.deepEqual(names.filter((n) => n !== "calico" && !n.startsWith("calico-")), [], "unprefixed names left in the state");
        await ws.ok("preview --expect-no-changes", ["preview", "--expect-no-changes", "--stack", STACK]);
    });

    it("destroy", async () => {
        await ws.unprotectAndDestroy(STACK);
    });
});
