/**
 * What changing a deployed stack from one config to another does, step by step, for `plan --from`.
 * Covers version changes (the upgrade order, the support-matrix path, refusals) and a resource
 * diff of every change; BGP topology migrations have their own gate (gate.ts) and are listed here
 * as resource changes.
 */
import type { ClusterSettings } from "../config/settings";
import { CALICO_RELEASES, versionChangeRefusal } from "../model/versions";
import { mapSecrets } from "./objects";
import { crdHolder, OPERATOR_RESOURCES } from "./operator";
import { INSTALLATION_RESOURCES } from "./installation";
import type { PlannedResource } from "./resource-spec";

/** One step of a migration. */
export interface MigrationStep {
    /** What happens, in a few words. */
    readonly title: string;
    /** Details: resources, versions, what to check. */
    readonly details: readonly string[];
    /** Set when this step must not happen (it would delete a CRD or a Calico object, or upstream does not support it). */
    readonly error?: string;
}

/** The migration from one config to another. */
export interface MigrationReport {
    readonly from: { readonly calicoVersion: string; readonly kubernetesVersion: string };
    readonly to: { readonly calicoVersion: string; readonly kubernetesVersion: string };
    readonly steps: readonly MigrationStep[];
    /** Resources by planned name: created, changed (updated in place) and deleted. */
    readonly resources: { readonly create: readonly string[]; readonly update: readonly string[]; readonly delete: readonly string[] };
    /** Whether any step is an error (plan then exits 2). */
    readonly refused: boolean;
}

const text = (p: PlannedResource) => JSON.stringify(mapSecrets(p.spec, (s) => s.placeholder()));

/** Kubernetes minors from `a` to `b`, one at a time (kubeadm upgrades one minor per step). */
function minorSteps(a: string, b: string): string[] {
    const [ma, na] = a.split(".").map(Number);
    const [, nb] = b.split(".").map(Number);
    const out: string[] = [];
    for (let n = na + 1; n <= nb; n++) out.push(`${ma}.${n}`);
    return out;
}

/** Plan the change from `old` (as deployed) to `next`, given both plans. */
export function planMigration(old: ClusterSettings, oldPlan: readonly PlannedResource[], next: ClusterSettings, nextPlan: readonly PlannedResource[]): MigrationReport {
    const before = new Map(oldPlan.map((p) => [p.name, p]));
    const after = new Map(nextPlan.map((p) => [p.name, p]));
    const create = nextPlan.filter((p) => !before.has(p.name)).map((p) => p.name);
    const remove = oldPlan.filter((p) => !after.has(p.name)).map((p) => p.name);
    const update = nextPlan.filter((p) => before.has(p.name) && text(before.get(p.name)!) !== text(p)).map((p) => p.name);
    const steps: MigrationStep[] = [];
    const from = { calicoVersion: old.calicoVersion, kubernetesVersion: old.kubernetesVersion };
    const to = { calicoVersion: next.calicoVersion, kubernetesVersion: next.kubernetesVersion };
    const versionChange = old.calicoVersion !== next.calicoVersion;
    if (versionChange) {
        const refusal = versionChangeRefusal(old.calicoVersion, next.calicoVersion);
        if (refusal) {
            steps.push({ title: `Calico ${old.calicoVersion} → ${next.calicoVersion}`, details: [], error: refusal });
        } else {
            const was = CALICO_RELEASES[old.calicoVersion];
            const now = CALICO_RELEASES[next.calicoVersion];
            if (old.kubernetesVersion !== next.kubernetesVersion) {
                const minors = minorSteps(old.kubernetesVersion, next.kubernetesVersion);
                // Minors neither release was tested on: the window where Calico runs untested.
                const gap = minors.filter((m) => !was.testedKubernetes.includes(m) && !now.testedKubernetes.includes(m));
                steps.push({
                    title: `before this change: upgrade Kubernetes ${old.kubernetesVersion} → ${next.kubernetesVersion}, one minor at a time (${minors.join(", ")})`,
                    details: [
                        `Calico ${old.calicoVersion} is tested on ${was.testedKubernetes.join(", ")} (${was.supportSource}), Calico ${next.calicoVersion} on ${now.testedKubernetes.join(", ")}`,
                        ...(gap.length ? [`neither is tested on ${gap.join(", ")}: pass through those minors in one maintenance window`] : []),
                        `keep calico:kubernetesVersion "${old.kubernetesVersion}" until the Kubernetes upgrade is done, then change calico:version and calico:kubernetesVersion together (this change)`,
                    ],
                });
            }
            const oldHolder = crdHolder(was);
            const newHolder = crdHolder(now);
            steps.push({
                title: `CRDs: ${now.crdsManifestUrl ? "operator-crds.yaml" : "tigera-operator.yaml"} of ${next.calicoVersion}, server-side apply`,
                details: [
                    oldHolder === newHolder ? `the CRDs stay under ${newHolder}` : `the CRDs move from ${oldHolder} to ${newHolder}; each CRD child carries an alias to its old name, so each is updated in place: no CRD is deleted or replaced`,
                ],
            });
            steps.push({ title: `operator: tigera-operator ${was.operatorVersion} → ${now.operatorVersion} (${OPERATOR_RESOURCES.operator})`, details: ["the Deployment, RBAC and namespace update in place"] });
            steps.push({
                title: `wait: Installation default reports Calico ${next.calicoVersion} and Ready`,
                details: [`${INSTALLATION_RESOURCES.installation} waits for status.calicoVersion=${next.calicoVersion} and condition Ready (the operator writes the version once TigeraStatus is available)`],
            });
            const calicoctl = update.filter((n) => after.get(n)!.spec.kind === "localCommand");
            steps.push({ title: "calicoctl objects, after the wait", details: calicoctl.length ? [`run again with calicoctl ${next.calicoVersion}: ${calicoctl.join(", ")}`] : ["none changes"] });
            // calicoctl-applied objects that the new config no longer has.
            const deletedCalico = remove.filter((n) => { const spec = before.get(n)!.spec; return spec.kind === "localCommand" && spec.object !== undefined; });
            if (deletedCalico.length) {
                steps.push({ title: "Calico objects deleted during the upgrade", details: deletedCalico, error: `the version change also deletes Calico objects (${deletedCalico.join(", ")}); upgrade with the same BGP and pool settings first, then change them in a separate update` });
            }
        }
    }
    if (!versionChange || steps.every((s) => !s.error)) {
        const rest = [
            ...create.map((n) => `create ${n}`),
            ...update.filter((n) => !versionChange || after.get(n)!.spec.kind !== "localCommand").map((n) => `update ${n}`),
            ...remove.map((n) => (before.get(n)!.retainOnDelete ? `release ${n} (left in the cluster: the new operator manages it under the same name)` : `delete ${n}`)),
        ];
        steps.push({ title: versionChange ? "every other resource change" : "resource changes", details: rest.length ? rest : ["nothing changes"] });
    }
    return { from, to, steps, resources: { create, update, delete: remove }, refused: steps.some((s) => s.error !== undefined) };
}

/** The report as text. */
export function migrationText(r: MigrationReport): string {
    const lines = [`migration: Calico ${r.from.calicoVersion} on Kubernetes ${r.from.kubernetesVersion} → Calico ${r.to.calicoVersion} on Kubernetes ${r.to.kubernetesVersion}`];
    r.steps.forEach((s, i) => {
        lines.push(`${i + 1}. ${s.error ? "[ERROR] " : ""}${s.title}`);
        for (const d of s.details) lines.push(`   - ${d}`);
        if (s.error) lines.push(`   ${s.error}`);
    });
    lines.push(r.refused ? "refused: fix the errors above" : "ok");
    return lines.join("\n") + "\n";
}
