/**
 * Upgrading Calico v3.27.3 → v3.31.3 with the real CLI and providers never deletes a CRD.
 * v3.27.3 ships its CRDs inside tigera-operator.yaml and v3.31.3 in operator-crds.yaml, so the CRDs
 * move from one ConfigFile to the other; the aliases (lib/render/operator.ts crdAliasNames, applied
 * by the ConfigFile's transform to the children the provider registers) must make the engine update
 * them in place. Proven with the API server's watch history (no CRD DELETED event) and by reading
 * every Calico object before and after (same uid, same spec).
 *
 * Test-only fake, named as such: the control plane here is Kubernetes 1.34 (the 1.28 one is not
 * built), while the stack declares calico:kubernetesVersion 1.28 for v3.27.3, as a real v3.27.3
 * cluster would. Nothing in the program reads the cluster's version, so the declaration is all the
 * support matrix sees.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Cluster, ROOT, UPSTREAM, Workspace, WatchRecorder, requireToolchain } from "../support/harness";
import { PATHS, type KubeObject } from "../simulator/kube";

const STACK = "small";
const CALICO_PLURALS = ["ippools", "bgpconfigurations", "felixconfigurations", "kubecontrollersconfigurations", "bgppeers"];

/** Top-level spec defaults of a crd.projectcalico.org CRD at v3.31.3 (what the API server fills in). */
function crdSpecDefaults(plural: string): Record<string, unknown> {
    const crd = parse(readFileSync(join(UPSTREAM, "calico", "v3.31.3", "crds", `crd.projectcalico.org_${plural}.yaml`), "utf8"));
    const props = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties ?? {};
    return Object.fromEntries(Object.entries(props as Record<string, { default?: unknown }>).filter(([, p]) => p.default !== undefined).map(([k, p]) => [k, p.default]));
}

describe("e2e: upgrade v3.27.3 → v3.31.3 keeps every CRD and Calico object", function () {
    this.timeout(30 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    const set = (path: string, value: string) => ws.ok(`config set ${path}`, ["config", "set", "--stack", STACK, "--path", path, value]);

    /** uid and spec of every Calico object and every Calico CRD. */
    async function snapshot(): Promise<Map<string, { uid: string; spec: string; operatorFields: string[] }>> {
        const out = new Map<string, { uid: string; spec: string; operatorFields: string[] }>();
        for (const c of await cluster.kube.list(PATHS.crds)) {
            if (/projectcalico\.org|tigera\.io/.test(c.metadata.name)) out.set(`CRD ${c.metadata.name}`, { uid: c.metadata.uid as string, spec: "", operatorFields: [] });
        }
        for (const plural of CALICO_PLURALS) {
            for (const o of await cluster.kube.list(PATHS.calico(plural))) out.set(`${plural}/${o.metadata.name}`, { uid: o.metadata.uid as string, spec: JSON.stringify(o.spec), operatorFields: operatorSpecFields(o) });
        }
        return out;
    }

    /**
     * Spec fields the tigera-operator wrote (its field manager, in managedFields): the new operator
     * fills its own defaults into FelixConfiguration default when it takes over (v1.40.3:
     * bpfEnabled and nftablesMode in pkg/controller/installation/core_controller.go, vxlanPort in
     * pkg/controller/utils/felix_configuration.go). Those are the operator's, not the upgrade's.
     */
    function operatorSpecFields(o: KubeObject): string[] {
        const entries = (o.metadata.managedFields ?? []) as { manager?: string; fieldsV1?: { "f:spec"?: Record<string, unknown> } }[];
        return entries.filter((m) => /^tigera-operator|^operator$/.test(m.manager ?? "")).flatMap((m) => Object.keys(m.fieldsV1?.["f:spec"] ?? {}).map((f) => f.replace(/^f:/, "")));
    }

    before(async () => {
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`));
        ws = new Workspace("upgrade", cluster.kubeconfig);
        await ws.initStack(STACK, {
            // calicoctl from a cache seeded with both releases (the air-gapped way): each command
            // runs the one that matches the version the cluster runs, and names no version itself.
            "calico:calicoctl.cacheDir": cluster.calicoctlCache(["v3.27.3", "v3.31.3"]),
            // Not what this scenario is about: no prometheus-operator CRDs in this cluster.
            "calico:monitoring.serviceMonitors.crdsPresent": "false",
        });
        await ws.useRelease(STACK, "v3.27.3");
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    let before27: Map<string, { uid: string; spec: string }>;
    let typhaServiceUid: string | undefined;
    const typhaService = `${PATHS.services("calico-system")}/calico-typha-metrics`;

    it("up with v3.27.3 (CRDs embedded in tigera-operator.yaml)", async () => {
        await ws.ok("up v3.27.3", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        before27 = await snapshot();
        typhaServiceUid = (await cluster.kube.get(typhaService))?.metadata.uid as string | undefined;
        assert.ok(typhaServiceUid, "the stack's own calico-typha-metrics Service (v3.27.3's operator makes none)");
        const crds = [...before27.keys()].filter((k) => k.startsWith("CRD "));
        assert.ok(crds.length >= 20, `${crds.length} CRDs after the v3.27.3 install`);
        assert.ok(before27.has("ippools/default-ipv4-ippool") && before27.has("bgpconfigurations/default"), [...before27.keys()].join(", "));
        assert.match(ws.stateText(STACK), /CustomResourceDefinition::calico-tigera-operator:ippools\.crd\.projectcalico\.org/);
        assert.match(ws.stateText(STACK), /::calico-typha-metrics-service"/, "the stack owns the Typha metrics Service on v3.27.3");
    });

    it("the preview of the upgrade deletes and replaces no CRD", async () => {
        await ws.useRelease(STACK, "v3.31.3");
        const preview = await ws.pulumi("preview upgrade", ["preview", "--json", "--stack", STACK], { timeoutSeconds: 600 });
        const report = JSON.parse(preview.stdout);
        assert.equal(preview.code, 0, `preview failed:\n${(report.diagnostics ?? []).map((d: { message: string }) => d.message).join("\n")}\n${preview.stderr}`);
        const steps: { op: string; urn: string }[] = report.steps ?? [];
        const crdSteps = steps.filter((s) => s.urn.includes("CustomResourceDefinition"));
        assert.ok(crdSteps.length >= 20, `${crdSteps.length} CRD steps`);
        const bad = crdSteps.filter((s) => !["same", "update", "create"].includes(s.op));
        assert.deepEqual(bad.map((s) => `${s.op} ${s.urn.split("::").pop()}`), [], "the upgrade would delete or replace CRDs");
        // calicoctl objects are re-applied only if their rendering changed: none of small's does.
        const commands = steps.filter((s) => s.urn.includes("command:local:Command") && s.op !== "same" && s.op !== "read");
        assert.deepEqual(commands.map((s) => `${s.op} ${s.urn.split("::").pop()}`), [], "the upgrade would run calicoctl commands whose objects did not change");
    });

    it("up with v3.31.3: no CRD DELETED in the watch, every object kept with its uid and spec", async () => {
        // calico-system Services too: the Typha metrics Service this stack made on v3.27.3 is the
        // operator's from v3.31.3 on, and the upgrade must hand it over, not delete it.
        const watch = new WatchRecorder(cluster.kube, [PATHS.crds, ...CALICO_PLURALS.map((p) => PATHS.calico(p)), PATHS.services("calico-system")]);
        try {
            await ws.ok("up v3.31.3", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        } finally {
            watch.stop();
        }
        const deleted = watch.events.filter((e) => e.type === "DELETED").map((e) => `${e.object.kind} ${e.object.metadata.name}`);
        assert.deepEqual(deleted, [], "objects deleted during the upgrade");
        const after = await snapshot();
        const lost = [...before27].filter(([k, v]) => after.get(k)?.uid !== v.uid).map(([k]) => k);
        assert.deepEqual(lost, [], "objects gone or recreated (new uid) by the upgrade");
        // Every field is kept; the only new fields are defaults the v3.31.3 CRD schema adds when the
        // API server reads an object (e.g. BGPConfiguration serviceLoadBalancerAggregation: Enabled),
        // and the defaults the new operator writes itself (operatorSpecFields).
        const changed: string[] = [];
        for (const [k, v] of before27) {
            if (k.startsWith("CRD ")) continue;
            const old = JSON.parse(v.spec ?? "{}") ?? {};
            const now = JSON.parse(after.get(k)!.spec ?? "{}") ?? {};
            const defaults = crdSpecDefaults(k.split("/")[0]);
            const byOperator = new Set(after.get(k)!.operatorFields);
            for (const f of new Set([...Object.keys(old), ...Object.keys(now)])) {
                // A field the new operator added itself is its default, not a change the upgrade made.
                if (!(f in old) && byOperator.has(f)) continue;
                if (f in old ? JSON.stringify(old[f]) !== JSON.stringify(now[f]) : JSON.stringify(now[f]) !== JSON.stringify(defaults[f])) changed.push(`${k} spec.${f}: ${JSON.stringify(old[f])} → ${JSON.stringify(now[f])}`);
            }
        }
        assert.deepEqual(changed, [], "Calico objects whose spec the upgrade changed");
        assert.ok([...after.keys()].some((k) => k === "CRD tiers.crd.projectcalico.org"), "the v3.31.3 CRDs are installed");
        assert.equal((await cluster.kube.get(typhaService))?.metadata.uid, typhaServiceUid, "the Typha metrics Service was handed over to the operator, not recreated");
        assert.doesNotMatch(ws.stateText(STACK), /::calico-typha-metrics-service"/, "the Service left the stack's state");
        assert.match(ws.stateText(STACK), /CustomResourceDefinition::calico-operator-crds:ippools\.crd\.projectcalico\.org/);
        assert.doesNotMatch(ws.stateText(STACK), /CustomResourceDefinition::calico-tigera-operator:/);
        await ws.ok("preview after upgrade", ["preview", "--expect-no-changes", "--stack", STACK], { timeoutSeconds: 600 });
    });

    it("after the upgrade, a changed calicoctl object is applied with the cluster's v3.31.3 calicoctl", async () => {
        const calls = join(cluster.dir, "calicoctl-calls.log");
        const before = existsSync(calls) ? readFileSync(calls, "utf8").length : 0;
        await set("calico:bgp.logSeverityScreen", "Debug");
        await ws.ok("up (BGP log level)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        assert.equal((await cluster.kube.get(`${PATHS.calico("bgpconfigurations")}/default`))?.spec?.logSeverityScreen, "Debug");
        // Only that one object was applied, by the v3.31.3 calicoctl (each call's line names the
        // binary's release; the real calicoctl also refuses a version other than ClusterInformation's).
        const applied = readFileSync(calls, "utf8").slice(before).split("\n").filter((l) => / apply /.test(` ${l} `));
        assert.deepEqual(applied, ["v3.31.3 apply -f -"]);
        await ws.ok("preview after the change", ["preview", "--expect-no-changes", "--stack", STACK], { timeoutSeconds: 600 });
    });

    it("a downgrade back to v3.27.3 is refused by preview and up, and changes nothing", async () => {
        const before = await snapshot();
        await ws.useRelease(STACK, "v3.27.3");
        for (const cmd of [["preview"], ["up", "--yes", "--skip-preview"]]) {
            const r = await ws.pulumi(`${cmd[0]} downgrade`, [...cmd, "--stack", STACK], { timeoutSeconds: 600 });
            assert.notEqual(r.code, 0, `${cmd[0]} of a downgrade succeeded`);
            assert.match(r.stdout + r.stderr, /going back to v3\.27\.3 is refused/);
            assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .+\.(ts|js):\d+:\d+/, `a stack trace was printed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
        }
        const after = await snapshot();
        assert.deepEqual([...before.keys()].filter((k) => after.get(k)?.uid !== before.get(k)!.uid), [], "the refused downgrade changed objects");
        // Back to the deployed version, for destroy.
        await ws.useRelease(STACK, "v3.31.3");
    });

    it("destroy still removes every CRD the stack created", async () => {
        await ws.unprotectAndDestroy(STACK);
        const deadline = Date.now() + 60_000;
        let left: string[] = [];
        while (Date.now() < deadline) {
            left = (await cluster.kube.list(PATHS.crds)).map((c) => c.metadata.name).filter((n) => /projectcalico\.org|tigera\.io/.test(n));
            if (!left.length) break;
            await new Promise((r) => setTimeout(r, 1000));
        }
        assert.deepEqual(left, []);
    });
});
