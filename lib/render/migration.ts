/**
 * What changing a deployed stack from one config to another does, step by step, for `plan --from`.
 * Covers version changes (the upgrade order, the support-matrix path, refusals) and a resource
 * diff of every change; for a BGP change, the sessions every node has after each step (sessionSteps),
 * refused when any node would be left without one.
 */
import type { ClusterSettings } from "../config/settings";
import { CALICO_RELEASES, versionChangeRefusal } from "../model/versions";
import { identityChangeRefusal } from "../model/identity";
import { poolChangeRefusal } from "../model/pool-changes";
import { computeOutputs } from "./outputs";
import { mapSecrets } from "./objects";
import { crdHolder, OPERATOR_RESOURCES } from "./operator";
import { INSTALLATION_RESOURCES } from "./installation";
import { GUIDE_KUBE_PROXY_OFF, KUBE_PROXY_GATE_SECONDS, KUBE_PROXY_RESOURCES, kubeProxyMode, OPERATOR_KUBE_PROXY_OFF } from "./kubeproxy";
import type { PlannedResource } from "./resource-spec";
import { BGP_RESOURCES, fabricObjects } from "./bgp";
import { countSessions, type NodeSessionCount } from "../model/sessions";

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
    /** Resources by planned name: created, changed (updated in place), replaced (deleted and created again) and deleted. */
    readonly resources: { readonly create: readonly string[]; readonly update: readonly string[]; readonly replace: readonly string[]; readonly delete: readonly string[] };
    /** The BGP sessions after each step (when BGP is on before and after). */
    readonly sessions: readonly SessionStep[];
    /** Whether any step is an error (plan then exits 2). */
    readonly refused: boolean;
}

const text = (p: PlannedResource) => JSON.stringify(mapSecrets(p.spec, (s) => s.placeholder()));

/** Whether the Kubernetes provider manages it (so a new provider replaces it); commands belong to the command provider. */
const onKubernetesProvider = (p: PlannedResource) => p.spec.kind === "object" || p.spec.kind === "manifest" || p.spec.kind === "chart";

/**
 * What a Kubernetes resource is to the provider: its type and the object's group, kind, namespace
 * and name. pulumi-kubernetes replaces a resource when any of them changes (a new name or
 * namespace is another object), so a planned name whose identity changed is a replacement.
 */
function objectIdentity(p: PlannedResource): string {
    if (p.spec.kind !== "object") return p.type;
    const m = p.spec.object.metadata as { name?: string; namespace?: string };
    return `${p.type} ${p.spec.object.apiVersion.split("/").slice(0, -1).join("/")} ${p.spec.object.kind} ${m.namespace ?? ""}/${m.name ?? ""}`;
}

/** objectIdentity() as a reader says it: `Kind namespace/name`, or the type. */
function describeObject(p: PlannedResource): string {
    if (p.spec.kind !== "object") return p.type;
    const m = p.spec.object.metadata as { name?: string; namespace?: string };
    return `${p.spec.object.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name ?? ""}`;
}

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
    // A new clusterIdentifier replaces the provider, and with it every resource it manages.
    const identityChange = old.cluster.identifier !== next.cluster.identifier;
    const replace = nextPlan
        .filter((p) => before.has(p.name) && onKubernetesProvider(p) && (identityChange || objectIdentity(before.get(p.name)!) !== objectIdentity(p)))
        .map((p) => p.name);
    const update = nextPlan.filter((p) => before.has(p.name) && !replace.includes(p.name) && text(before.get(p.name)!) !== text(p)).map((p) => p.name);
    const steps: MigrationStep[] = [];
    if (identityChange) {
        steps.push({
            title: `cluster identity: ${old.cluster.identifier} → ${next.cluster.identifier} (the Kubernetes provider's clusterIdentifier)`,
            details: [`a new clusterIdentifier replaces the provider, and with it all ${replace.length} resources it manages`],
            error: identityChangeRefusal(old.cluster.identifier, next.cluster.identifier, next.cluster.name),
        });
    }
    // The same check the program makes from the stack's last ipPools output.
    const poolRefusal = poolChangeRefusal(computeOutputs(old).ipPools, next.network.ipPools, next.calicoVersion, old.calicoVersion);
    if (poolRefusal) steps.push({ title: "IP pools", details: [], error: poolRefusal });
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
            // Their command text names no version (lib/render/calicoctl.ts): a command updates only
            // when its object or flags changed, and then runs the calicoctl the cluster's version calls for.
            const calicoctl = update.filter((n) => after.get(n)!.spec.kind === "localCommand");
            steps.push({
                title: "calicoctl objects, after the wait",
                details: calicoctl.length ? [`re-applied with calicoctl ${next.calicoVersion} because their objects changed: ${calicoctl.join(", ")}`] : ["none is re-applied: their objects did not change, and each command runs the calicoctl of the version the cluster runs"],
            });
            if (kubeProxyMode(old) === "guide" && kubeProxyMode(next) === "guide" && now.operatorManagesKubeProxy) {
                steps.push({
                    title: "kube-proxy (eBPF): the guide's nodeSelector stays for this update; the next up hands it to the operator",
                    details: [
                        `this update keeps nodeSelector ${GUIDE_KUBE_PROXY_OFF.key}=${GUIDE_KUBE_PROXY_OFF.value} on kube-system/kube-proxy and sets no kubeProxyManagement: until its CRDs are applied the cluster has ${old.calicoVersion}'s Installation CRD, which has no such field, and a preview's dry run would fail on it`,
                        `the next up (no config change) sets kubeProxyManagement: Enabled; the operator ${now.operatorVersion} adds nodeSelector ${OPERATOR_KUBE_PROXY_OFF}=true; ${KUBE_PROXY_RESOURCES.gate} waits (at most ${KUBE_PROXY_GATE_SECONDS}s) until it is there, and only then, with the deletes that end that update, is ${GUIDE_KUBE_PROXY_OFF.key} removed, so kube-proxy never returns to Calico's nodes`,
                    ],
                });
            }
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
            ...replace.map((n) => `replace ${n} (deleted and created again${identityChange ? ": the provider is replaced" : `: ${describeObject(before.get(n)!)} → ${describeObject(after.get(n)!)}`})`),
            ...remove.map((n) => (before.get(n)!.retainOnDelete ? `release ${n} (left in the cluster: the new operator manages it under the same name)` : `delete ${n}`)),
        ];
        steps.push({ title: versionChange ? "every other resource change" : "resource changes", details: rest.length ? rest : ["nothing changes"] });
    }
    const sessions = old.bgp.mode !== "disabled" && next.bgp.mode !== "disabled" ? sessionSteps(old, oldPlan, next, nextPlan) : [];
    const early = sessions.filter((s) => s.droppedBeforeGate.length);
    if (early.length) {
        steps.push({
            title: "BGP sessions that go before the new ones are Established",
            details: early.map((s) => `"${s.title}" takes sessions from ${s.droppedBeforeGate.join(", ")} before a gate has proven the new ones`),
            error: `the migration would drop sessions of ${[...new Set(early.flatMap((s) => s.droppedBeforeGate))].join(", ")} before the new sessions are Established, so their routes can go${old.bgp.mode === "mesh" && next.bgp.mode === "hybrid" ? "; go from mesh to hybrid in two updates, through tor or routeReflector (see README: Migrations)" : "; change the topology in two updates, through a mode both changes of which are hitless"}`,
        });
    }
    const stuck = sessions.filter((s) => s.unreachable?.length);
    if (stuck.length) {
        const nodes = stuck[0].unreachable!;
        const holders = stuck[0].outOfMesh ?? [];
        steps.push({
            title: "a session gate that cannot pass",
            details: [`at "${stuck[0].title}", ${nodes.join(", ")} cannot have a session with every other node: ${holders.join(", ") || "no node"} still hold a route-reflector cluster ID, which keeps a node out of the mesh until its patch is deleted, after the gate`],
            error: `the mesh gate would time out: ${holders.join(", ")} keep their route-reflector cluster IDs until after the gate, so ${nodes.length} nodes never reach every other node${old.bgp.mode === "hybrid" ? "; go from hybrid to mesh in two updates, through tor or routeReflector (see README: Migrations)" : ""}`,
        });
    }
    const cut = sessions.filter((s) => s.isolated.length);
    if (cut.length) {
        steps.push({
            title: "BGP sessions during the migration",
            details: cut.map((s) => `after "${s.title}": ${s.isolated.join(", ")} without any session`),
            error: `the migration would leave ${[...new Set(cut.flatMap((s) => s.isolated))].join(", ")} without a BGP session (no routes) at some step; change the topology in smaller steps so that every node keeps a session throughout`,
        });
    }
    return { from, to, steps, resources: { create, update, replace, delete: remove }, sessions, refused: steps.some((s) => s.error !== undefined) };
}

/** The report as text. */
export function migrationText(r: MigrationReport): string {
    const lines = [`migration: Calico ${r.from.calicoVersion} on Kubernetes ${r.from.kubernetesVersion} → Calico ${r.to.calicoVersion} on Kubernetes ${r.to.kubernetesVersion}`];
    r.steps.forEach((s, i) => {
        lines.push(`${i + 1}. ${s.error ? "[ERROR] " : ""}${s.title}`);
        for (const d of s.details) lines.push(`   - ${d}`);
        if (s.error) lines.push(`   ${s.error}`);
    });
    if (r.sessions.length > 1) {
        lines.push("BGP sessions after each step (fewest on any node; nodes without one):");
        r.sessions.forEach((s, i) => {
            const fewest = s.nodes.reduce((m, n) => (n.inCluster + n.external < m.inCluster + m.external ? n : m), s.nodes[0]);
            lines.push(`  ${i}. ${s.title}`, `     ${fewest ? `fewest: ${fewest.inCluster + fewest.external} (${fewest.node})` : "no nodes"}${s.isolated.length ? `; [ERROR] without a session: ${s.isolated.join(", ")}` : ""}`);
        });
    }
    lines.push(r.refused ? "refused: fix the errors above" : "ok");
    return lines.join("\n") + "\n";
}

/** The BGP sessions after one step of a migration. */
export interface SessionStep {
    /** What the step applies or deletes. */
    readonly title: string;
    /** Sessions of each declared node and of the undeclared group after the step. */
    readonly nodes: readonly NodeSessionCount[];
    /** Nodes that would have no BGP session (no routes) after the step. */
    readonly isolated: readonly string[];
    /**
     * Nodes that lose sessions at this step although no gate has run since the last step that added
     * sessions: their old sessions would go before the new ones are proven Established.
     */
    readonly droppedBeforeGate: readonly string[];
    /**
     * At a gate: nodes that cannot have every session the gate waits for while the objects are as
     * they are at that moment, so the gate would time out and `up` fail before the old sessions go.
     */
    readonly unreachable?: readonly string[];
    /** At a mesh gate: nodes whose route-reflector cluster ID still keeps them out of the mesh. */
    readonly outOfMesh?: readonly string[];
}

/**
 * The sessions after each step of the update from `oldPlan` to `nextPlan`, in the order the engine
 * runs it: creates and updates by dependsOn level (those that wait for the session gate after it),
 * then every delete (Pulumi deletes after all creates and updates). A node isolated after any step
 * would lose its routes during the migration.
 */
export function sessionSteps(old: ClusterSettings, oldPlan: readonly PlannedResource[], next: ClusterSettings, nextPlan: readonly PlannedResource[]): SessionStep[] {
    const baseLabels = new Map<string, Record<string, string>>();
    for (const n of [...old.cluster.nodes, ...next.cluster.nodes]) baseLabels.set(n.name, { ...(baseLabels.get(n.name) ?? {}), ...n.labels });
    // Every node either plan names (a rack member, a reflector) is counted by name at every step,
    // whether or not a patch has labelled it yet.
    for (const p of [...oldPlan, ...nextPlan]) {
        const o = p.spec.kind === "object" ? p.spec.object : undefined;
        if (o?.kind === "Node" && !baseLabels.has(o.metadata.name)) baseLabels.set(o.metadata.name, {});
    }
    const nodeCount = Math.max(old.cluster.nodeCount, next.cluster.nodeCount);
    const live = new Map(oldPlan.map((p) => [p.name, p]));
    const before = new Map(oldPlan.map((p) => [p.name, p]));
    const byName = new Map(nextPlan.map((p) => [p.name, p]));
    const changed = nextPlan.filter((p) => !before.has(p.name) || text(before.get(p.name)!) !== text(p));
    // The session gates (hybrid mode has two, one after the other).
    const gates = nextPlan.filter((p) => p.name.endsWith(`-${BGP_RESOURCES.wait}`) || p.name.endsWith(`-${BGP_RESOURCES.switchWait}`));
    const ancestors = (p: PlannedResource, seen = new Set<string>()): Set<string> => {
        for (const d of p.dependsOn) if (!seen.has(d)) (seen.add(d), byName.get(d) && ancestors(byName.get(d)!, seen));
        return seen;
    };
    /** How many gates a resource waits for. */
    const gateDepth = (p: PlannedResource) => { const a = ancestors(p); return gates.filter((g) => a.has(g.name)).length; };
    const steps: SessionStep[] = [];
    // Whether sessions may have been added since the last gate (before the first gate nothing of the
    // new topology is proven): a step that then takes sessions away has not waited for the new ones
    // (the one rule every hitless migration follows).
    let addedSinceGate = true;
    const total = (n: NodeSessionCount) => n.inCluster + n.external;
    const record = (title: string, isGate = false) => {
        const fabric = fabricObjects(live.values(), baseLabels);
        const c = countSessions(fabric, nodeCount);
        const prev = new Map((steps.at(-1)?.nodes ?? []).map((n) => [n.node, total(n)]));
        const fell = c.nodes.filter((n) => prev.has(n.node) && total(n) < prev.get(n.node)!).map((n) => n.node);
        const rose = c.nodes.some((n) => prev.has(n.node) && total(n) > prev.get(n.node)!);
        // The mesh gate needs every node to reach every other one (gateRequirement). A node that
        // still has a cluster ID (its patch goes only with the deletes, after the gate) takes no
        // part in the mesh, so unless explicit peers reach everyone the gate can never pass.
        const meshGate = isGate && next.bgp.mode === "mesh"
            ? { unreachable: c.nodes.filter((n) => !n.node.startsWith("<") && n.inCluster < nodeCount - 1).map((n) => n.node), outOfMesh: [...fabric.reflectorNodes].sort() }
            : {};
        steps.push({ title, nodes: c.nodes, isolated: c.isolated, droppedBeforeGate: addedSinceGate ? fell : [], ...meshGate });
        addedSinceGate = isGate ? false : addedSinceGate || rose;
    };
    record("before: as deployed");
    const changesSessions = (p: PlannedResource) => {
        const o = p.spec.kind === "localCommand" || p.spec.kind === "object" ? p.spec.object : undefined;
        return o !== undefined && ["BGPConfiguration", "BGPPeer", "Node"].includes(o.kind);
    };
    const apply = (wave: PlannedResource[], label: string) => {
        // dependsOn levels inside the wave: a resource runs once everything it depends on has.
        const names = new Set(wave.map((p) => p.name));
        const level = new Map<string, number>();
        const levelOf = (p: PlannedResource): number => {
            if (!level.has(p.name)) level.set(p.name, 1 + Math.max(-1, ...p.dependsOn.filter((d) => names.has(d)).map((d) => levelOf(byName.get(d)!))));
            return level.get(p.name)!;
        };
        const levels = [...new Set(wave.map(levelOf))].sort((a, b) => a - b);
        for (const l of levels) {
            const group = wave.filter((p) => levelOf(p) === l);
            for (const p of group) live.set(p.name, p);
            record(`${label}: ${group.map((p) => p.name).join(", ")}`);
        }
    };
    // Everything that waits for no gate, then each gate and what waits for it (and no later gate).
    const work = changed.filter((p) => !gates.includes(p) && changesSessions(p));
    const ordered = [...gates].sort((a, b) => gateDepth(a) - gateDepth(b));
    for (let depth = 0; depth <= ordered.length; depth++) {
        apply(work.filter((p) => gateDepth(p) === depth), depth === 0 ? "apply" : `apply after ${ordered[depth - 1].name}`);
        const g = ordered[depth];
        // A gate runs when it changed or something after it did (an unchanged gate is not re-run).
        if (g && (changed.includes(g) || changed.some((p) => ancestors(p).has(g.name)))) record(`wait: ${g.name} until every node's new sessions are Established`, true);
    }
    const deletes = oldPlan.filter((p) => !byName.has(p.name) && changesSessions(p));
    if (deletes.length) {
        for (const p of deletes) live.delete(p.name);
        record(`delete: ${deletes.map((p) => p.name).join(", ")}`);
    }
    return steps;
}
