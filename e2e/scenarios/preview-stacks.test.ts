/**
 * `pulumi preview` of every committed stack with the real CLI and providers, against the local
 * control plane. The only additions to the committed files are the air-gap overrides (local
 * manifests and charts from ../shared/upstream), since this machine has no route to the release
 * URLs or chart repositories. Also proves defect 5: the kube-prometheus-stack release, rendered by
 * the real provider, mounts no Secret that the release does not create (helm.v4.Chart runs no hooks).
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Cluster, ROOT, Workspace, requireToolchain } from "../support/harness";

const STACKS = readdirSync(join(ROOT, "stacks")).map((f) => f.match(/^Pulumi\.(.+)\.yaml$/)?.[1]).filter((s): s is string => !!s).sort();

/** Secrets a pod spec mounts or reads. */
function referencedSecrets(spec: any): string[] {
    const out: string[] = [];
    for (const v of spec?.volumes ?? []) if (v.secret?.secretName) out.push(v.secret.secretName);
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) out.push(e.valueFrom.secretKeyRef.name);
        for (const e of c.envFrom ?? []) if (e.secretRef?.name) out.push(e.secretRef.name);
    }
    return out;
}

describe("e2e: pulumi preview of every committed stack", function () {
    this.timeout(30 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    before(() => {
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", "Pulumi.small.yaml"));
        ws = new Workspace("preview", cluster.kubeconfig);
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    for (const stack of STACKS) {
        it(`${stack}: preview succeeds`, async () => {
            await ws.initStack(stack);
            const r = await ws.pulumi(`preview ${stack}`, ["preview", "--stack", stack, "--json"]);
            assert.equal(r.code, 0, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
            const preview = JSON.parse(r.stdout);
            const creates = (preview.steps ?? []).filter((s: any) => s.op === "create");
            assert.ok(creates.some((s: any) => s.urn.endsWith("Installation::calico-installation")), "no Installation in the preview");
            if (stack === "large") {
                // The chart's objects as the real provider rendered them (helm.v4.Chart previews each one).
                const objects = creates.filter((s: any) => s.urn.includes("kubernetes:helm.sh/v4:Chart$")).map((s: any) => s.newState?.inputs ?? {});
                assert.ok(objects.length > 20, `only ${objects.length} chart objects in the preview`);
                const secrets = new Set(objects.filter((o: any) => o.kind === "Secret").map((o: any) => o.metadata?.name));
                const missing: string[] = [];
                for (const o of objects) {
                    const spec = o.kind === "Pod" ? o.spec : o.spec?.template?.spec;
                    for (const name of referencedSecrets(spec)) if (!secrets.has(name)) missing.push(`${o.kind}/${o.metadata?.name} -> Secret/${name}`);
                }
                assert.deepEqual(missing, [], "objects reference Secrets the release does not create");
            }
        });
    }
});
