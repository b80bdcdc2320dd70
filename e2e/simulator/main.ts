/**
 * Entry point of the e2e SIMULATOR: it runs the REAL tigera-operator and calico-apiserver as their
 * pods would run (operator-pod.ts, apiserver-pod.ts) and plays only what cannot run here (calico-startup.ts, bgp.ts and benchmark.ts
 * say what each plays and why):
 *
 *   main.ts nodes KUBECONFIG [STACK_FILE]   create the fake nodes (kwok makes them Ready)
 *   main.ts ready KUBECONFIG                exit 0 once every node is Ready
 *   main.ts run KUBECONFIG DIR              run the real operator, and the calico-node and
 *                                           benchmark-container stand-ins, until SIGTERM (which also
 *                                           stops the operator); writes DIR/simulator.ready once running
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kube, PATHS } from "./kube";
import { fakeNodes, nodeObject } from "./nodes";
import { OperatorPod } from "./operator-pod";
import { ApiServerPod } from "./apiserver-pod";
import { CalicoStartup } from "./calico-startup";
import { BgpSimulator, type SessionScenario } from "./bgp";
import { BenchmarkSimulator } from "./benchmark";

const log = (m: string) => console.log(`${new Date().toISOString()} ${m}`);

async function main(argv: string[]): Promise<number> {
    const [cmd, kubeconfig, arg] = argv;
    const kube = new Kube(kubeconfig);
    switch (cmd) {
        case "nodes": {
            const nodes = fakeNodes(arg || undefined, Number(process.env.E2E_NODES ?? 6));
            for (const n of nodes) {
                await kube.upsert(PATHS.nodes, nodeObject(n));
                log(`node ${n.name} ${n.ip} ${JSON.stringify(n.labels)}`);
            }
            return 0;
        }
        case "ready": {
            const nodes = await kube.list(PATHS.nodes);
            return nodes.length > 0 && nodes.every((n) => n.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True")) ? 0 : 1;
        }
        case "run": {
            const scenario = (process.env.E2E_BGP_SESSIONS ?? "up") as SessionScenario;
            const delayMs = Number(process.env.E2E_BGP_DELAY_SECONDS ?? 2) * 1000;
            const bin = process.env.E2E_BIN;
            if (!bin) throw new Error("E2E_BIN is not set (e2e/cluster.sh sets it)");
            const operator = new OperatorPod(kube, kubeconfig, arg, bin, log);
            const apiserver = new ApiServerPod(kube, kubeconfig, arg, bin, log);
            const startup = new CalicoStartup(kube, log);
            const bgp = new BgpSimulator(kube, join(arg, "bgp-history.jsonl"), scenario, delayMs, log);
            const abort = new AbortController();
            new BenchmarkSimulator(kube, arg, log).start(abort.signal);
            let stopping = false;
            const stop = () => {
                stopping = true;
                abort.abort();
            };
            process.on("SIGTERM", stop);
            process.on("SIGINT", stop);
            writeFileSync(join(arg, "simulator.ready"), `${process.pid}\n`);
            log(`simulator running: sessions=${scenario} delay=${delayMs}ms`);
            while (!stopping) {
                for (const step of [() => operator.reconcile(), () => apiserver.reconcile(), () => startup.reconcile(), () => bgp.tick()]) {
                    try {
                        await step();
                    } catch (e) {
                        log(`error: ${(e as Error).message}`);
                    }
                }
                await new Promise((r) => setTimeout(r, 500));
            }
            await operator.stop();
            await apiserver.close();
            return 0;
        }
        default:
            console.error("usage: main.ts nodes|ready|run KUBECONFIG [ARG]");
            return 2;
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
        console.error(e instanceof Error ? e.message : e);
        process.exit(1);
    },
);
