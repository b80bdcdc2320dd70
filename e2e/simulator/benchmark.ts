/**
 * SIMULATOR of what the benchmark's client containers print, for the e2e tier only. kwok's pods run
 * no container, so a Job of `calico:benchmark` has no output of its own; a real node would have the
 * output of `ping` and `iperf3 -J` in its container log. This plays that part, and nothing more:
 * for each benchmark client pod (label `calico-benchmark/path`) it writes, as the container's log
 * in the CRI format kubelets keep, the real output that test/fixtures/netbench/capture.sh captured
 * on this machine for the same path, and tells kwok where it is with a `Logs` object (kwok's CRD,
 * named after the pod: sigs.k8s.io/kwok v0.7.0 pkg/kwok/server/debugging_logs.go). `kubectl logs`
 * then goes through the real API server to kwok's kubelet API, as it would to a kubelet.
 *
 * Which capture: the one whose dataplane matches the Installation's first IPv4 pool when the pod
 * appears: `None` → the natively routed capture, `VXLAN`/`VXLANCrossSubnet` → the VXLAN capture.
 * There is no IPIP capture (an ipip link cannot be created on this machine), so an IPIP pool gets
 * no output, and the run fails the way it would on a node whose container printed nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SECTION_MARK } from "../../lib/model/netbench";
import { Kube, PATHS, type WatchEvent } from "./kube";

/** Where capture.sh's real outputs are kept. */
const CAPTURES = join(__dirname, "..", "..", "test", "fixtures", "netbench", "data");
/** What the client container echoes between ping and iperf3 (lib/render/benchmark.ts). */
const MARK = `${SECTION_MARK} iperf3`;

/** The capture for a pool encapsulation, if there is one. */
export function captureFor(encapsulation: string | undefined): "native" | "vxlan" | undefined {
    if (encapsulation === "None") return "native";
    if (encapsulation === "VXLAN" || encapsulation === "VXLANCrossSubnet") return "vxlan";
    return undefined;
}

/** A container's output in the CRI log format (`<RFC 3339 time> stdout F <line>`), as kubelets keep it. */
export function criLog(output: string, at: Date): string {
    const ts = at.toISOString().replace("Z", "000000Z");
    return output.replace(/\n$/, "").split("\n").map((line) => `${ts} stdout F ${line}\n`).join("");
}

/** Plays the benchmark client containers' output (see the file comment). */
export class BenchmarkSimulator {
    private readonly served = new Set<string>();

    constructor(private readonly kube: Kube, private readonly dir: string, private readonly log: (m: string) => void) {}

    /** Watch benchmark client pods until `signal` aborts. */
    start(signal: AbortSignal): void {
        mkdirSync(join(this.dir, "pod-logs"), { recursive: true });
        this.kube.watch("/api/v1/pods?labelSelector=calico-benchmark%2Fpath", (e) => void this.onPod(e).catch((err) => this.log(`benchmark: ${(err as Error).message}`)), { signal });
    }

    private async onPod(e: WatchEvent): Promise<void> {
        const pod = e.object;
        const ns = pod.metadata.namespace!;
        const key = `${ns}/${pod.metadata.name}`;
        if (e.type !== "ADDED" || this.served.has(key)) return;
        this.served.add(key);
        const path = pod.metadata.labels?.["calico-benchmark/path"];
        const inst = await this.kube.get(`${PATHS.operator("installations")}/default`);
        const pool = (inst?.spec?.calicoNetwork?.ipPools ?? []).find((p: { cidr: string }) => !p.cidr.includes(":"));
        const capture = captureFor(pool?.encapsulation);
        if (!capture) {
            this.log(`benchmark: ${key} (${path}): no capture for encapsulation ${pool?.encapsulation}; the container prints nothing`);
            return;
        }
        const output = readFileSync(join(CAPTURES, `${capture}-${path}.ping.txt`), "utf8") + `${MARK}\n` + readFileSync(join(CAPTURES, `${capture}-${path}.iperf3.json`), "utf8");
        const file = join(this.dir, "pod-logs", `${ns}_${pod.metadata.name}_client.log`);
        writeFileSync(file, criLog(output, new Date()));
        await this.kube.request("POST", `/apis/kwok.x-k8s.io/v1alpha1/namespaces/${ns}/logs`, {
            apiVersion: "kwok.x-k8s.io/v1alpha1",
            kind: "Logs",
            metadata: { name: pod.metadata.name, namespace: ns },
            spec: { logs: [{ containers: ["client"], logsFile: file }] },
        });
        this.log(`benchmark: ${key} (${path}) prints the ${capture} capture`);
    }
}
