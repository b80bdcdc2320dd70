/**
 * Entry point of the e2e SIMULATOR (see operator.ts, bgp.ts and benchmark.ts for what it plays and why):
 *
 *   main.ts nodes KUBECONFIG [STACK_FILE]   create the fake nodes (kwok makes them Ready)
 *   main.ts ready KUBECONFIG                exit 0 once every node is Ready
 *   main.ts run KUBECONFIG DIR              run the operator, calico-node and benchmark-container
 *                                           simulation until SIGTERM; writes DIR/simulator.ready
 *                                           once running
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kube, PATHS } from "./kube";
import { fakeNodes, nodeObject } from "./nodes";
import { OperatorSimulator } from "./operator";
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
            const operator = new OperatorSimulator(kube, log);
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
                for (const step of [() => operator.reconcile(), () => bgp.tick()]) {
                    try {
                        await step();
                    } catch (e) {
                        log(`error: ${(e as Error).message}`);
                    }
                }
                await new Promise((r) => setTimeout(r, 500));
            }
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
