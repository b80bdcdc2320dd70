/**
 * The whole life of a stack with the real CLI and providers: `pulumi up`, then
 * `preview --expect-no-changes`, then a second `up` that changes nothing, then `destroy`, which
 * must leave no Calico object and no namespace or finalizer stuck. For the `dev` stack (VXLAN, no
 * BGP) and the `small` stack (full mesh, node preparation, ServiceMonitors), using the local
 * copies of the release manifests (the air-gapped path). For `small`, every calicoctl-applied
 * object is read back and compared with what was rendered, and examples/consumer reads the stack
 * outputs through a real StackReference on the same backend.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Cluster, ROOT, WatchRecorder, Workspace, requireToolchain, sleep } from "../support/harness";
import { PATHS } from "../simulator/kube";

/** Calico kinds whose objects must all be gone after destroy. */
const CALICO_PLURALS = ["bgpconfigurations", "bgppeers", "ippools", "felixconfigurations", "kubecontrollersconfigurations", "caliconodestatuses"];

async function assertNothingLeft(cluster: Cluster): Promise<void> {
    const kube = cluster.kube;
    const deadline = Date.now() + 90_000;
    let leftovers: string[] = [];
    while (Date.now() < deadline) {
        leftovers = [];
        const crds = await kube.list(PATHS.crds);
        for (const c of crds) if (/projectcalico\.org|tigera\.io/.test(c.metadata.name)) leftovers.push(`CRD ${c.metadata.name}`);
        for (const ns of await kube.list(PATHS.namespaces)) if (["tigera-operator", "calico-system", "calico-apiserver"].includes(ns.metadata.name)) leftovers.push(`Namespace ${ns.metadata.name} (${ns.status?.phase})`);
        if (!leftovers.length) break;
        await sleep(1000);
    }
    assert.deepEqual(leftovers, [], "left after destroy");
    for (const plural of CALICO_PLURALS) assert.equal(await kube.get(PATHS.calico(plural)), undefined, `${plural} still served`);
    const nodes = await kube.list(PATHS.nodes);
    for (const n of nodes) {
        const ours = Object.keys(n.metadata.labels ?? {}).filter((l) => l === "route-reflector");
        assert.deepEqual(ours, [], `${n.metadata.name} keeps labels the stack set`);
    }
}

/** What a destroy would delete first or most: the CRDs, the operator, the Installation, the BGP and Felix objects, the nodes' labels. */
const WATCHED = [PATHS.crds, PATHS.operator("installations"), PATHS.calico("bgpconfigurations"), PATHS.calico("bgppeers"), PATHS.calico("felixconfigurations"), "/apis/apps/v1/namespaces/tigera-operator/deployments", PATHS.namespaces];

function lifecycle(stack: string, opts: { prometheusCrds?: boolean; readBack?: boolean; consumer?: boolean }) {
    describe(`e2e: lifecycle of the ${stack} stack`, function () {
        this.timeout(30 * 60_000);
        let cluster: Cluster;
        let ws: Workspace;
        before(async () => {
            requireToolchain();
            cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${stack}.yaml`));
            ws = new Workspace(`lifecycle-${stack}`, cluster.kubeconfig);
            // The stack declares kube-prometheus-stack present (crdsPresent: true).
            if (opts.prometheusCrds) await cluster.installPrometheusCrds();
            const version = ws.stackValue(stack, "calico:version") ?? "v3.31.3";
            await ws.initStack(stack, { "calico:calicoctl.path": cluster.calicoctl(version) });
        });
        after(() => {
            ws?.report();
            ws?.remove();
            cluster?.down();
        });

        it("up succeeds and prints the plugin versions it used", async () => {
            const r = await ws.ok("up", ["up", "--yes", "--stack", stack, "--skip-preview"], { timeoutSeconds: 900 });
            console.log(`      [e2e] plugins: ${Workspace.pluginReport(r).join("; ")}`);
            assert.match(r.stdout, /Resources:/);
            const inst = await cluster.kube.get(`${PATHS.operator("installations")}/default`);
            assert.equal(inst?.status?.conditions?.find((c: any) => c.type === "Ready")?.status, "True");
            // calico:network.ipam (small: strictAffinity) through calicoctl ipam configure.
            const ipam = (parse(readFileSync(join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config["calico:network"] ?? {}).ipam;
            const got = await cluster.kube.get(`${PATHS.calico("ipamconfigs")}/default`);
            if (ipam) assert.equal(got?.spec?.strictAffinity, ipam.strictAffinity ?? false, "IPAMConfig default");
        });

        it("a second preview expects no changes, and a second up changes nothing", async () => {
            await ws.ok("preview --expect-no-changes", ["preview", "--expect-no-changes", "--stack", stack]);
            await ws.ok("up --expect-no-changes", ["up", "--yes", "--expect-no-changes", "--skip-preview", "--stack", stack]);
        });

        if (opts.readBack) {
            it("every calicoctl-applied object reads back equal to what was rendered", async () => {
                const state = JSON.parse(ws.stateText(stack));
                const commands = state.checkpoint.latest.resources.filter((r: any) => r.type === "command:local:Command" && typeof r.inputs?.stdin === "string" && r.inputs.stdin.includes("projectcalico.org/v3"));
                assert.ok(commands.length > 0, "no calicoctl apply commands in state");
                for (const c of commands) {
                    const rendered = parse(c.inputs.stdin);
                    const r = spawnSync(cluster.calicoctl(ws.stackValue(stack, "calico:version") ?? "v3.31.3"), ["get", rendered.kind.toLowerCase(), rendered.metadata.name, "-o", "yaml"], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig, DATASTORE_TYPE: "kubernetes" }, encoding: "utf8" });
                    assert.equal(r.status, 0, r.stderr);
                    const got = parse(r.stdout);
                    assert.equal(got.kind, rendered.kind);
                    // Every rendered field reads back unchanged; a field the API server added must be
                    // a default of the CRD's schema (e.g. v3.31.3's serviceLoadBalancerAggregation).
                    const k = rendered.kind.toLowerCase();
                    const crd = await cluster.kube.get(`${PATHS.crds}/${k.endsWith("y") ? `${k.slice(0, -1)}ies` : `${k}s`}.crd.projectcalico.org`);
                    const props = crd?.spec?.versions?.[0]?.schema?.openAPIV3Schema?.properties?.spec?.properties ?? {};
                    const expected = { ...rendered.spec };
                    for (const k of Object.keys(got.spec ?? {})) if (!(k in expected) && props[k]?.default !== undefined) expected[k] = props[k].default;
                    assert.deepEqual(got.spec, expected, `${rendered.kind}/${rendered.metadata.name}`);
                }
            });
        }

        if (opts.consumer) {
            it("examples/consumer reads the outputs through a real StackReference", async () => {
                const dir = join(ws.dir, "examples", "consumer");
                await ws.ok("consumer stack init", ["stack", "init", "edge"], { cwd: dir });
                await ws.ok("consumer config", ["config", "set", "--stack", "edge", "calicoStack", `organization/calico/${stack}`], { cwd: dir });
                await ws.ok("consumer config", ["config", "set", "--stack", "edge", "--path", "edgeRouter.name", "edge-1"], { cwd: dir });
                await ws.ok("consumer config", ["config", "set", "--stack", "edge", "--path", "edgeRouter.peerIP", "192.0.2.10"], { cwd: dir });
                await ws.ok("consumer config", ["config", "set", "--stack", "edge", "--path", "edgeRouter.asNumber", "65010"], { cwd: dir });
                const r = await ws.pulumi("consumer preview", ["preview", "--stack", "edge", "--json"], { cwd: dir });
                const out = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
                const ref = (out.steps ?? []).find((s: any) => s.urn.includes("pulumi:pulumi:StackReference"));
                assert.ok(ref, `no StackReference step:\n${r.stdout.slice(-3000)}`);
                const calicoAs = out.steps.find((s: any) => s.urn.endsWith("::calico-consumer-edge"))?.newState?.outputs?.clusterAsNumber;
                const stackOutputs = JSON.parse((await ws.ok("stack output", ["stack", "output", "--json", "--stack", stack])).stdout);
                assert.equal(calicoAs ?? stackOutputs.bgp.asNumber, stackOutputs.bgp.asNumber);
                assert.ok(ref.newState?.outputs?.outputs?.bgp || ref.newState?.inputs?.name, "the StackReference read nothing");
            });
        }

        it("destroy of a protected stack (the default) deletes nothing and says how to go on", async () => {
            const watch = new WatchRecorder(cluster.kube, WATCHED);
            await sleep(1000);
            const r = await ws.pulumi("destroy (protected)", ["destroy", "--yes", "--skip-preview", "--stack", stack], { timeoutSeconds: 900 });
            await sleep(2000);
            watch.stop();
            assert.notEqual(r.code, 0, "a protected destroy succeeded");
            assert.match(r.stdout + r.stderr, /this stack is protected \(calico:protect is true\), so nothing was deleted/);
            assert.deepEqual(watch.events.filter((e) => e.type === "DELETED").map((e) => `${e.object.kind} ${e.object.metadata.name}`), [], "the protected destroy deleted objects");
            assert.ok(await cluster.kube.get(`${PATHS.operator("installations")}/default`), "the Installation is gone");
            await ws.ok("preview after the refused destroy", ["preview", "--expect-no-changes", "--stack", stack], { timeoutSeconds: 600 });
        });

        it("calico:protect false, up, then destroy leaves no Calico object and no namespace or finalizer stuck", async () => {
            await ws.unprotectAndDestroy(stack);
            await assertNothingLeft(cluster);
        });
    });
}

lifecycle("dev", {});
lifecycle("small", { prometheusCrds: true, readBack: true, consumer: true });
