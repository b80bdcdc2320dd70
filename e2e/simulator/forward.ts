/**
 * A byte pipe between a TCP port and a Unix socket, for the e2e tier's network namespace
 * (apiserver-pod.ts): a Unix socket is a file, so it crosses network namespaces, which TCP on
 * 127.0.0.1 does not. The host side (`unixToTcp`, in the simulator) serves the socket and dials
 * kube-apiserver on 127.0.0.1; the namespace side (this file's main, run with `ip netns exec`)
 * listens on the namespace's own 127.0.0.1 at kube-apiserver's port, so a kubeconfig naming
 * https://127.0.0.1:<port> works unchanged inside the namespace, certificate and all.
 *
 *   forward.ts HOST PORT SOCKET READY   listen on HOST:PORT, pipe each connection to SOCKET; write
 *                                       the file READY once listening
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { rmSync, writeFileSync } from "node:fs";

function pipe(a: Socket, b: Socket): void {
    a.pipe(b);
    b.pipe(a);
    a.on("error", () => b.destroy());
    b.on("error", () => a.destroy());
}

/** Serve `socket` (a path), piping each connection to host:port. */
export function unixToTcp(socket: string, host: string, port: number): Promise<Server> {
    rmSync(socket, { force: true });
    const server = createServer((c) => pipe(c, connect({ host, port })));
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(socket, () => resolve(server));
    });
}

if (require.main === module) {
    const [host, port, socket, ready] = process.argv.slice(2);
    const server = createServer((c) => pipe(c, connect({ path: socket })));
    server.listen(Number(port), host, () => writeFileSync(ready, `${process.pid}\n`));
    for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
}
