/**
 * The calicoctl Command strings and the BGP wait script, executed for real by /bin/sh against a fake
 * calicoctl (and curl) on PATH that check their arguments, environment and stdin.
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadSettings } from "../../lib/pipeline";
import type { ClusterSettings } from "../../lib/config/settings";
import { applyCommand, calicoctlPrelude, patchCommand } from "../../lib/render/calicoctl";
import { planBgp, renderBgpConfiguration } from "../../lib/render/bgp";
import { planResources } from "../../lib/render";
import { gateRequirement, renderGateCommand } from "../../lib/render/gate";
import { stackConfig } from "../support/stacks";

const YAML_MODULE = require.resolve("yaml");

/** A fake calicoctl: logs each call, validates arguments and stdin, answers `get caliconodestatus`. */
const FAKE_CALICOCTL = `#!/bin/sh
set -eu
log="$FAKE_DIR/calls.log"
[ "\${DATASTORE_TYPE:-}" = kubernetes ] || { echo "fake: DATASTORE_TYPE not kubernetes" >&2; exit 3; }
# Every call, version included (it asks the cluster too), must target the provider's cluster.
if [ -n "\${EXPECT_KUBECONFIG:-}" ]; then [ "$(cat "$KUBECONFIG")" = "$EXPECT_KUBECONFIG" ] || { echo "fake: $1: wrong kubeconfig" >&2; exit 3; }; fi
if [ -n "\${EXPECT_CONTEXT:-}" ]; then [ "\${K8S_CURRENT_CONTEXT:-}" = "$EXPECT_CONTEXT" ] || { echo "fake: $1: wrong context '\${K8S_CURRENT_CONTEXT:-}'" >&2; exit 3; }; fi
case "$1" in
  version) echo "Client Version:    \${FAKE_VERSION:-v3.31.3}"; echo "Git commit:        0000000"; exit 0 ;;
  apply)
    [ "$*" = "apply -f -" ] || { echo "fake: bad args: $*" >&2; exit 3; }
    node -e 'const o=require(process.argv[1]).parse(require("fs").readFileSync(0,"utf8"));if(o.apiVersion!=="projectcalico.org/v3"||!o.kind||!o.metadata||!o.metadata.name)process.exit(4);console.log(o.kind+"/"+o.metadata.name)' "$FAKE_YAML" | sed 's/^/apply /' >> "$log" ;;
  delete)
    [ "$*" = "delete --skip-not-exists -f -" ] || { echo "fake: bad args: $*" >&2; exit 3; }
    node -e 'const o=require(process.argv[1]).parse(require("fs").readFileSync(0,"utf8"));console.log(o.kind+"/"+o.metadata.name)' "$FAKE_YAML" | sed 's/^/delete /' >> "$log" ;;
  patch)
    [ "$#" -eq 5 ] && [ "$4" = "--patch" ] || { echo "fake: bad args: $*" >&2; exit 3; }
    node -e 'JSON.parse(process.argv[1])' "$5" || exit 4
    echo "patch $2/$3 $5" >> "$log" ;;
  get)
    [ "$2" = caliconodestatus ] && [ "$4" = -o ] && [ "$5" = json ] || { echo "fake: bad args: $*" >&2; exit 3; }
    n=$(cat "$FAKE_DIR/polls" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$FAKE_DIR/polls"
    mesh='{"peerIP":"10.0.0.9","state":"Established","type":"NodeMesh"}'
    up='{"peerIP":"10.0.0.7","state":"Established","type":"GlobalPeer"}'
    down='{"peerIP":"10.0.0.7","state":"Connect","type":"GlobalPeer"}'
    case "$FAKE_SCENARIO" in
      established) peers="$mesh,$up" ;;
      never) peers="$mesh,$down" ;;
      flapping) if [ $((n % 2)) -eq 0 ]; then peers="$up"; else peers="$down"; fi ;;
    esac
    echo "{\\"status\\":{\\"bgp\\":{\\"numberEstablishedV4\\":1,\\"peersV4\\":[$peers]}}}" ;;
  *) echo "fake: unknown command $1" >&2; exit 3 ;;
esac
`;

/**
 * The fake kubectl beside it: the Calico version the cluster runs, as ClusterInformation default
 * reports it (FAKE_CLUSTER_VERSION, default v3.31.3; set it to "" for a cluster where calico-node has
 * not started), and the context it was asked for.
 */
const FAKE_CLUSTER_KUBECTL = `#!/bin/sh
case "$*" in
  *"get clusterinformations.crd.projectcalico.org default -o jsonpath={.spec.calicoVersion}")
    echo "$*" >> "$FAKE_DIR/kubectl.log"
    [ -z "\${FAKE_KUBECTL_FAILS:-}" ] || { echo "fake kubectl: connection refused" >&2; exit 1; }
    printf '%s' "\${FAKE_CLUSTER_VERSION-v3.31.3}" ;;
  *) echo "fake kubectl: unexpected $*" >&2; exit 3 ;;
esac
`;

interface Fake {
    dir: string;
    bin: string;
    calls(): string[];
}

function makeFake(): Fake {
    const dir = mkdtempSync(join(tmpdir(), "fake-calicoctl-"));
    const bin = join(dir, "calicoctl");
    writeFileSync(bin, FAKE_CALICOCTL);
    chmodSync(bin, 0o755);
    writeFileSync(join(dir, "kubectl"), FAKE_CLUSTER_KUBECTL, { mode: 0o755 });
    return { dir, bin, calls: () => (existsSync(join(dir, "calls.log")) ? readFileSync(join(dir, "calls.log"), "utf8").trim().split("\n") : []) };
}

function sh(script: string, fake: Fake, opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}) {
    return spawnSync("/bin/sh", ["-c", script], {
        input: opts.stdin ?? "",
        encoding: "utf8",
        cwd: opts.cwd ?? fake.dir,
        env: { PATH: `${fake.dir}:${process.env.PATH}`, FAKE_DIR: fake.dir, FAKE_YAML: YAML_MODULE, DATASTORE_TYPE: "kubernetes", ...opts.env },
    });
}

/** This machine's `<os>-<arch>`, as the prelude names the release file. */
const PLATFORM = `linux-${process.arch === "arm64" ? "arm64" : "amd64"}`;

/** calico:calicoctl.checksums that vouch for the fake calicoctl (a mirror's own build) as v3.31.3. */
function trustFake(fake: Fake): Record<string, string> {
    return { [`v3.31.3/${PLATFORM}`]: createHash("sha256").update(readFileSync(fake.bin)).digest("hex") };
}

/** sh(), asynchronously: for scripts that talk to a server in this process, which spawnSync would block. */
function shAsync(script: string, fake: Fake): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn("/bin/sh", ["-c", script], { cwd: fake.dir, env: { PATH: `${fake.dir}:${process.env.PATH}`, FAKE_DIR: fake.dir, FAKE_YAML: YAML_MODULE, DATASTORE_TYPE: "kubernetes" } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.on("close", (status) => (clearTimeout(timer), resolve({ status, stdout, stderr })));
    });
}

function settings(extra: Record<string, unknown> = {}): ClusterSettings {
    return loadSettings({ ...stackConfig("large"), ...extra }).settings;
}

describe("calicoctl commands, executed", () => {
    it("apply and delete send the object on stdin with the right arguments", () => {
        const fake = makeFake();
        const s = settings({ "calico:calicoctl": { path: fake.bin } });
        const cmd = applyCommand(s, renderBgpConfiguration(s));
        // The kubeconfig and context from config reach every call, `calicoctl version` included.
        const env = { CALICO_KUBECONFIG: "apiVersion: v1\nkind: Config\n", EXPECT_KUBECONFIG: "apiVersion: v1\nkind: Config", CALICO_KUBE_CONTEXT: "ctx-b", EXPECT_CONTEXT: "ctx-b" };
        for (const script of [cmd.create, cmd.update!, cmd.delete!]) {
            const r = sh(script, fake, { stdin: cmd.stdin, env });
            assert.equal(r.status, 0, r.stderr);
        }
        assert.deepEqual(fake.calls(), ["apply BGPConfiguration/default", "apply BGPConfiguration/default", "delete BGPConfiguration/default"]);
    });

    it("every command of the large and tor plans runs against the fake", () => {
        for (const stack of ["large", "tor"]) {
            const fake = makeFake();
            const s = loadSettings({ ...stackConfig(stack), "calico:calicoctl": { path: fake.bin } }).settings;
            let count = 0;
            for (const p of planBgp(s)) {
                if (p.spec.kind !== "localCommand" || p.name === "wait-bgp-sessions") continue;
                const r = sh(p.spec.create, fake, { stdin: p.spec.stdin });
                assert.equal(r.status, 0, `${p.name}: ${r.stderr}`);
                count++;
            }
            assert.equal(fake.calls().length, count);
        }
    });

    it("patch merges Felix-style changes and undoes them on delete", () => {
        const fake = makeFake();
        const s = settings({ "calico:calicoctl": { path: fake.bin } });
        const cmd = patchCommand(s, "node", "rr-1", { spec: { bgp: { asNumber: 65001 } } }, { spec: { bgp: { asNumber: null } } });
        assert.equal(sh(cmd.create, fake, { stdin: cmd.stdin }).status, 0);
        assert.equal(sh(cmd.delete!, fake).status, 0);
        assert.deepEqual(fake.calls(), ['patch node/rr-1 {"spec":{"bgp":{"asNumber":65001}}}', 'patch node/rr-1 {"spec":{"bgp":{"asNumber":null}}}']);
    });

    it("downloads the release binary once into the cache, then reuses it", () => {
        const fake = makeFake();
        const curl = join(fake.dir, "curl");
        // A fake curl that "downloads" the fake calicoctl and records the URL.
        writeFileSync(curl, `#!/bin/sh\nout="$3"; echo "$4" >> "$FAKE_DIR/curl.log"; cp "$FAKE_DIR/calicoctl" "$out"\n`);
        chmodSync(curl, 0o755);
        const cache = mkdtempSync(join(tmpdir(), "cache-"));
        const s = settings({ "calico:calicoctl": { cacheDir: cache, checksums: trustFake(fake) } });
        const script = `${calicoctlPrelude(s)}\necho "$calicoctl"`;
        const first = sh(script, fake);
        assert.equal(first.status, 0, first.stderr);
        assert.match(first.stdout.trim(), new RegExp(`^${cache}/v3\\.31\\.3/calicoctl-linux-(amd64|arm64)$`));
        const second = sh(script, fake);
        assert.equal(second.status, 0);
        const urls = readFileSync(join(fake.dir, "curl.log"), "utf8").trim().split("\n");
        assert.equal(urls.length, 1, "the cached binary is reused");
        assert.match(urls[0], /^https:\/\/github\.com\/projectcalico\/calico\/releases\/download\/v3\.31\.3\/calicoctl-linux-(amd64|arm64)$/);
    });

    it("says clearly when it cannot get calicoctl", () => {
        const fake = makeFake();
        writeFileSync(join(fake.dir, "curl"), "#!/bin/sh\nexit 22\n");
        chmodSync(join(fake.dir, "curl"), 0o755);
        const s = settings({ "calico:calicoctl": { cacheDir: mkdtempSync(join(tmpdir(), "cache-")) } });
        const r = sh(`${calicoctlPrelude(s)}\necho unreachable`, fake);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /cannot download .*calicoctl-linux-.*; set calico:calicoctl\.path/);
    });

    it("ten parallel first runs download calicoctl once each into their own file and all succeed", async () => {
        const fake = makeFake();
        const body = readFileSync(fake.bin);
        // A slow server widens the window in which parallel downloads overlap.
        const server = createServer((req, res) => {
            if (!req.url?.endsWith("/v3.31.3/calicoctl-linux-amd64")) return void res.writeHead(404).end();
            res.writeHead(200, { "Content-Length": body.length });
            res.write(body.subarray(0, 20));
            setTimeout(() => res.end(body.subarray(20)), 300);
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        try {
            const port = (server.address() as AddressInfo).port;
            const cache = mkdtempSync(join(tmpdir(), "cache-"));
            const s = settings({ "calico:calicoctl": { cacheDir: cache, downloadBaseUrl: `http://127.0.0.1:${port}`, checksums: trustFake(fake) } });
            const script = `${calicoctlPrelude(s)}\n"$calicoctl" version >/dev/null && echo ok`;
            const runs = await Promise.all(
                Array.from({ length: 10 }, () =>
                    new Promise<{ code: number | null; err: string }>((resolve) => {
                        const child = spawn("/bin/sh", ["-c", script], { cwd: fake.dir, env: { PATH: `${fake.dir}:${dirname(process.execPath)}:/usr/bin:/bin`, FAKE_DIR: fake.dir, FAKE_YAML: YAML_MODULE } });
                        let err = "";
                        child.stderr.on("data", (c) => (err += c));
                        child.on("close", (code) => resolve({ code, err }));
                    }),
                ),
            );
            for (const r of runs) assert.equal(r.code, 0, r.err);
            const files = readdirSync(join(cache, "v3.31.3"));
            assert.deepEqual(files.filter((f) => f.includes(".part")), [], "temporary files left behind");
            assert.ok(files.some((f) => /^calicoctl-linux-(amd64|arm64)$/.test(f)));
        } finally {
            server.close();
        }
    });

    it("refuses a download whose sha256 is not the release's, served by a local HTTP server, and never runs it", async () => {
        const fake = makeFake();
        // The fake calicoctl with one byte changed: what a tampered mirror or a man in the middle serves.
        const tampered = Buffer.concat([readFileSync(fake.bin), Buffer.from("\n# tampered\n")]);
        const served: string[] = [];
        const server = createServer((req, res) => {
            served.push(req.url ?? "");
            res.writeHead(200, { "Content-Length": tampered.length }).end(tampered);
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        try {
            const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            const cache = mkdtempSync(join(tmpdir(), "cache-"));
            // Against the pinned checksums of the official release: refused.
            const pinned = await shAsync(`${calicoctlPrelude(settings({ "calico:calicoctl": { cacheDir: cache, downloadBaseUrl: base } }))}\necho ran`, fake);
            assert.equal(pinned.status, 1);
            assert.match(pinned.stderr, new RegExp(`refused ${base}/v3\\.31\\.3/calicoctl-${PLATFORM}: its sha256 is [0-9a-f]{64}, which is not the checksum of calicoctl v3\\.31\\.3 for ${PLATFORM}`));
            assert.doesNotMatch(pinned.stdout, /ran/);
            // The fake was never executed (it logs every call) and nothing was kept in the cache.
            assert.deepEqual(fake.calls(), []);
            assert.deepEqual(existsSync(join(cache, "v3.31.3")) ? readdirSync(join(cache, "v3.31.3")) : [], []);
            // Vouching for the untampered build does not vouch for the tampered one.
            const vouched = await shAsync(`${calicoctlPrelude(settings({ "calico:calicoctl": { cacheDir: cache, downloadBaseUrl: base, checksums: trustFake(fake) } }))}\necho ran`, fake);
            assert.equal(vouched.status, 1);
            assert.match(vouched.stderr, /refused .*not the checksum/);
            // The user's checksum of exactly what the mirror serves lets it run.
            const own = { [`v3.31.3/${PLATFORM}`]: createHash("sha256").update(tampered).digest("hex") };
            const ok = await shAsync(`${calicoctlPrelude(settings({ "calico:calicoctl": { cacheDir: cache, downloadBaseUrl: base, checksums: own } }))}\necho ran`, fake);
            assert.equal(ok.status, 0, ok.stderr);
            assert.equal(ok.stdout.trim(), "ran");
            assert.equal(served.length, 3);
        } finally {
            server.close();
        }
    });

    it("every pinned checksum is in the script, and an unknown platform asks for one", () => {
        const fake = makeFake();
        const s = settings({ "calico:calicoctl": { cacheDir: mkdtempSync(join(tmpdir(), "cache-")) } });
        const prelude = calicoctlPrelude(s);
        for (const sum of ["dc920efee0045d352780c73cfdd3f6fbd6eab9fdb0675897095c755715a8fc8d", "e22b8bb41684f8ffb5143b50bf3b2ab76985604d774d397cfb6fb11d8a19f326"]) assert.ok(prelude.includes(sum), sum);
        // A fake uname: a platform no release checksum covers.
        writeFileSync(join(fake.dir, "uname"), `#!/bin/sh\ncase "$1" in -s) echo Linux ;; -m) echo s390x ;; esac\n`, { mode: 0o755 });
        writeFileSync(join(fake.dir, "curl"), `#!/bin/sh\ncp "$FAKE_DIR/calicoctl" "$3"\n`, { mode: 0o755 });
        const r = sh(`${prelude}\necho ran`, fake);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /no checksum is known for calicoctl v3\.31\.3 on linux-s390x, so the download is not run; add its sha256 as calico:calicoctl\.checksums\["v3\.31\.3\/linux-s390x"\]/);
        assert.deepEqual(fake.calls(), []);
    });

    it("refuses a calicoctl that does not match the Calico version the cluster runs", () => {
        const fake = makeFake();
        const s = settings({ "calico:calicoctl": { path: fake.bin } });
        const r = sh(`${calicoctlPrelude(s)}\necho unreachable`, fake, { env: { FAKE_VERSION: "v3.27.3" } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /reports client version 'v3\.27\.3', but the cluster runs Calico v3\.31\.3/);
        // The same binary passes against a cluster that runs its version, whatever calico:version says.
        const old = sh(`${calicoctlPrelude(s)}\necho ran`, fake, { env: { FAKE_VERSION: "v3.27.3", FAKE_CLUSTER_VERSION: "v3.27.3" } });
        assert.equal(old.status, 0, old.stderr);
        assert.equal(old.stdout.trim(), "ran");
    });

    it("takes the version from the cluster, through the provider's context, so the command text has none", () => {
        const fake = makeFake();
        const cache = mkdtempSync(join(tmpdir(), "cache-"));
        for (const version of ["v3.27.3", "v3.31.3"]) {
            const s = settings({ "calico:version": version, "calico:kubernetesVersion": version === "v3.27.3" ? "1.28" : "1.34", "calico:calicoctl": { cacheDir: cache } });
            // Only the table of every supported release's checksums names versions, all of them alike.
            const outsideChecksums = calicoctlPrelude(s).split("\n").filter((l) => !/^\s*case "\$want\/\$os-\$arch/.test(l));
            assert.doesNotMatch(outsideChecksums.join("\n"), /v3\.(27|31)\.3/, `${version}: the command names a version`);
        }
        const s = settings({ "calico:calicoctl": { cacheDir: cache } });
        assert.equal(calicoctlPrelude(s), calicoctlPrelude(settings({ "calico:version": "v3.27.3", "calico:kubernetesVersion": "1.28", "calico:calicoctl": { cacheDir: cache } })), "an upgrade would change every command");
        // A cache seeded with both releases (the air-gapped way): the cluster's version picks the binary.
        for (const version of ["v3.27.3", "v3.31.3"]) {
            const dir = join(cache, version);
            spawnSync("mkdir", ["-p", dir]);
            const arch = process.arch === "arm64" ? "arm64" : "amd64";
            writeFileSync(join(dir, `calicoctl-linux-${arch}`), `#!/bin/sh\nFAKE_VERSION=${version} exec "${fake.bin}" "$@"\n`, { mode: 0o755 });
        }
        for (const version of ["v3.27.3", "v3.31.3"]) {
            const r = sh(`${calicoctlPrelude(s)}\necho "$calicoctl"`, fake, { env: { FAKE_CLUSTER_VERSION: version, CALICO_KUBE_CONTEXT: "ctx-b" } });
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout.trim(), new RegExp(`/${version.replace(/\./g, "\\.")}/calicoctl-linux-`));
        }
        assert.match(readFileSync(join(fake.dir, "kubectl.log"), "utf8"), /^--context ctx-b get clusterinformations/m);
    });

    it("every calicoctl command of every stack runs after the Installation is Ready, when the cluster's version is known", () => {
        for (const stack of ["dev", "small", "large", "tor", "hybrid"]) {
            const raw = { ...stackConfig(stack), "calico:policy": { baseline: { enabled: true } } };
            const plan = planResources(loadSettings(raw).settings);
            const byName = new Map(plan.map((p) => [p.name, p]));
            const ancestors = (name: string, seen = new Set<string>()): Set<string> => {
                for (const d of byName.get(name)?.dependsOn ?? []) if (!seen.has(d)) (seen.add(d), ancestors(d, seen));
                return seen;
            };
            const commands = plan.filter((p) => p.spec.kind === "localCommand" && p.spec.create.includes('"$calicoctl"'));
            assert.ok(commands.length > 0, stack);
            for (const c of commands) assert.ok(ancestors(c.name).has("calico-installation"), `${stack}: ${c.name} may run before the Installation`);
        }
    });

    it("fails clearly when the cluster's version cannot be read, is empty, or is not a release version", () => {
        const fake = makeFake();
        const s = settings({ "calico:calicoctl": { path: fake.bin } });
        const run = (env: Record<string, string>) => sh(`${calicoctlPrelude(s)}\necho unreachable`, fake, { env });
        assert.match(run({ FAKE_KUBECTL_FAILS: "1" }).stderr, /cannot read ClusterInformation default/);
        assert.match(run({ FAKE_CLUSTER_VERSION: "" }).stderr, /has no calicoVersion: calico-node has not started/);
        for (const bad of ["v3.31.3/../../etc", "v3.31.3;rm", "3.31.3"]) {
            const r = run({ FAKE_CLUSTER_VERSION: bad });
            assert.equal(r.status, 1, bad);
            assert.match(r.stderr, /unexpected Calico version/, bad);
        }
        const noKubectl = spawnSync("/bin/sh", ["-c", `${calicoctlPrelude(s)}\necho unreachable`], { encoding: "utf8", env: { PATH: "/nonexistent", FAKE_DIR: fake.dir } });
        assert.match(noKubectl.stderr, /kubectl is not on PATH/);
    });
});

/**
 * A fake kubectl: answers `get nodes` and `get caliconodestatuses` from a scenario file, one status
 * set per poll (the last one repeats), and records applies, deletes and the context it was given.
 */
const FAKE_KUBECTL = `#!/usr/bin/env node
const fs = require("fs");
const path = require("path");
const dir = process.env.FAKE_DIR;
const scenario = JSON.parse(fs.readFileSync(path.join(dir, "scenario.json"), "utf8"));
let args = process.argv.slice(2);
const log = (l) => fs.appendFileSync(path.join(dir, "kubectl.log"), l + "\\n");
const created = path.join(dir, "created");
if (args[0] === "--context") { log("context " + args[1]); args = args.slice(2); }
if (args[0] === "get" && args[1] === "nodes") { console.log(JSON.stringify({ items: scenario.nodes })); process.exit(0); }
// Every node runs calico-node unless the scenario lists the pods.
if (args[0] === "get" && args[1] === "pods") { log("get pods " + args.slice(2).join(" ")); console.log(JSON.stringify({ items: scenario.pods ?? scenario.nodes.map((n) => ({ spec: { nodeName: n.metadata.name }, status: { phase: "Running" } })) })); process.exit(0); }
if (args[0] === "create") { const items = fs.readFileSync(args[2], "utf8").trim().split("\\n").map((l) => JSON.parse(l)); for (const i of items) log("create " + i.kind + " " + i.metadata.name + " " + i.spec.node); fs.writeFileSync(created, new Date(Date.now() - 1000).toISOString().replace(/\\.\\d+Z$/, "Z")); process.exit(0); }
if (args[0] === "get" && args[1] === "caliconodestatuses.crd.projectcalico.org") {
  const f = path.join(dir, "polls"); const n = fs.existsSync(f) ? Number(fs.readFileSync(f, "utf8")) : 0; fs.writeFileSync(f, String(n + 1));
  const set = scenario.polls[Math.min(n, scenario.polls.length - 1)];
  const creationTimestamp = fs.readFileSync(created, "utf8");
  // A status calico-node wrote now, or (listed in scenario.stale) one left from before the probe existed.
  const written = (node) => (scenario.stale ?? []).includes(node) ? "2020-01-01T00:00:00Z" : new Date().toISOString();
  console.log(JSON.stringify({ items: Object.entries(set).map(([node, peers]) => ({ metadata: { creationTimestamp }, spec: { node }, status: { lastUpdated: written(node), bgp: { peersV4: peers } } })) }));
  process.exit(0);
}
if (args[0] === "delete") { log("delete " + args.slice(1).join(" ")); process.exit(0); }
console.error("fake kubectl: unexpected " + args.join(" ")); process.exit(3);
`;

interface GatePeer { peerIP: string; type: string; state: string }
const node = (name: string, ip: string, labels: Record<string, string> = {}, ready = true) => ({ metadata: { name, labels }, status: { addresses: [{ type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } });
const up = (ip: string, type = "NodePeer"): GatePeer => ({ peerIP: ip, type, state: "Established" });
const down = (ip: string, type = "NodePeer"): GatePeer => ({ peerIP: ip, type, state: "Connect" });

function runGate(s: ClusterSettings, scenario: { nodes: unknown[]; polls: Record<string, GatePeer[]>[]; pods?: unknown[]; stale?: string[] }, env: Record<string, string> = {}, opts: { reflectorsOnly?: boolean } = {}) {
    const dir = mkdtempSync(join(tmpdir(), "fake-kubectl-"));
    writeFileSync(join(dir, "kubectl"), FAKE_KUBECTL, { mode: 0o755 });
    writeFileSync(join(dir, "scenario.json"), JSON.stringify(scenario));
    const fast: ClusterSettings = { ...s, bgp: { ...s.bgp, migration: { ...s.bgp.migration, waitTimeoutSeconds: 4, pollIntervalSeconds: 1 } } };
    const req = gateRequirement(fast, opts)!;
    const { command, environment } = renderGateCommand(fast, req);
    const r = spawnSync("/bin/sh", ["-c", command], { encoding: "utf8", env: { PATH: `${dir}:${process.env.PATH}`, FAKE_DIR: dir, ...environment, ...env } });
    const log = existsSync(join(dir, "kubectl.log")) ? readFileSync(join(dir, "kubectl.log"), "utf8").trim().split("\n") : [];
    return { ...r, log };
}

describe("BGP session gate (before anything drops old sessions)", () => {
    const rrNodes = [node("rr-1", "10.0.0.1"), node("rr-2", "10.0.0.2"), node("rr-3", "10.0.0.3")];
    const clients = [node("node-a", "10.0.1.1"), node("node-b", "10.0.1.2"), node("undeclared-c", "10.0.1.3")];
    const rrIPs = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];
    const rrSet = (clientState: (ip: string) => GatePeer): Record<string, GatePeer[]> => ({
        ...Object.fromEntries(rrNodes.map((n, i) => [n.metadata.name, rrIPs.filter((_, j) => j !== i).map((ip) => up(ip))])),
        ...Object.fromEntries(clients.map((c) => [c.metadata.name, rrIPs.map(clientState)])),
    });
    const large = () => loadSettings(stackConfig("large")).settings;

    it("passes once every live node, undeclared ones included, has a session to every reflector; then removes its probes", () => {
        const r = runGate(large(), { nodes: [...rrNodes, ...clients], polls: [rrSet((ip) => up(ip))] });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /BGP session gate passed: every node that runs calico-node \(6\) has its routeReflector sessions Established/);
        assert.deepEqual(r.log.filter((l) => l.startsWith("create")).map((l) => l.split(" ")[3]).sort(), ["node-a", "node-b", "rr-1", "rr-2", "rr-3", "undeclared-c"]);
        assert.ok(r.log.some((l) => l.startsWith("delete caliconodestatuses.crd.projectcalico.org -l calico-pulumi/bgp-probe=true")), "probes left behind");
    });

    it("fails when only the reflectors have their sessions, naming every client that lacks them", () => {
        const r = runGate(large(), { nodes: [...rrNodes, ...clients], polls: [rrSet((ip) => down(ip))] });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /still lack their new BGP sessions .*: 3 of 6: node-a \(has 0\/3; lacks rr-1 10\.0\.0\.1, rr-2 10\.0\.0\.2, rr-3 10\.0\.0\.3; required: runs calico-node\), node-b \(has 0\/3;.*\), undeclared-c \(has 0\/3;/);
        assert.match(r.stderr, /Nothing that would drop their old sessions has run/);
        // The probes are kept for debugging after a failure: the one delete is of older probes, before the gate's own.
        assert.deepEqual(r.log.filter((l) => l.startsWith("delete") || l.startsWith("create")).map((l) => l.split(" ")[0]).filter((v, i, a) => v !== a[i - 1]), ["delete", "create"]);
    });

    it("deletes probes an earlier gate left before it creates its own, and a status older than its probe does not count", () => {
        const r = runGate(large(), { nodes: [...rrNodes, ...clients], polls: [rrSet((ip) => up(ip))], stale: ["node-b"] });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /1 of 6: node-b \(has 0\/3; lacks rr-1 10\.0\.0\.1, rr-2 10\.0\.0\.2, rr-3 10\.0\.0\.3; its CalicoNodeStatus is older than the gate \(status reporter stopped\?\); required: runs calico-node\)/);
        assert.match(r.log[0], /^delete caliconodestatuses\.crd\.projectcalico\.org -l calico-pulumi\/bgp-probe=true/);
        assert.ok(r.log.findIndex((l) => l.startsWith("create")) > 0);
    });

    it("waits only for nodes that run calico-node, and names the others", () => {
        const pods = [...rrNodes, ...clients].filter((n) => n.metadata.name !== "undeclared-c").map((n) => ({ spec: { nodeName: n.metadata.name }, status: { phase: "Running" } }));
        const set = rrSet((ip) => up(ip));
        delete set["undeclared-c"];
        const r = runGate(large(), { nodes: [...rrNodes, ...clients], polls: [set], pods });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /every node that runs calico-node \(5; not required: undeclared-c \(runs no calico-node\)\)/);
        // No calico-node pod at all is a failure, never a vacuous pass.
        const none = runGate(large(), { nodes: [...rrNodes, ...clients], polls: [set], pods: [] });
        assert.equal(none.status, 1);
        assert.match(none.stderr, /no calico-node pod found \(namespace calico-system, label k8s-app=calico-node\)/);
    });

    it("a NotReady or cordoned node blocks by default, naming why it is required; with notReadyNodes skip it is named and not waited for", () => {
        const sick = node("node-b", "10.0.1.2", {}, false);
        const cordoned = { ...node("node-a", "10.0.1.1"), spec: { unschedulable: true } };
        const nodes = [...rrNodes, cordoned, sick, clients[2]];
        const set = rrSet((ip) => up(ip));
        set["node-b"] = [];
        const blocked = runGate(large(), { nodes, polls: [set] });
        assert.equal(blocked.status, 1);
        assert.match(blocked.stderr, /1 of 6: node-b \(has 0\/3; .*required: runs calico-node, NotReady \(calico:bgp\.migration\.notReadyNodes is block\)\)/);
        const skipped = runGate(loadSettings({ ...stackConfig("large"), "calico:bgp": { ...stackConfig("large")["calico:bgp"], migration: { notReadyNodes: "skip" } } }).settings, { nodes, polls: [set] });
        assert.equal(skipped.status, 0, skipped.stderr);
        assert.match(skipped.stdout, /\(4; not required: node-a \(cordoned; calico:bgp\.migration\.notReadyNodes is skip\), node-b \(NotReady; calico:bgp\.migration\.notReadyNodes is skip\)\)/);
    });

    it("a client with sessions to only some reflectors is not enough", () => {
        const r = runGate(large(), { nodes: [...rrNodes, ...clients], polls: [rrSet((ip) => (ip === "10.0.0.3" ? down(ip) : up(ip)))] });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /node-a \(has 2\/3; lacks rr-3 10\.0\.0\.3; required: runs calico-node\)/);
    });

    it("does not accept a flapping session", () => {
        const good = rrSet((ip) => up(ip));
        const bad = rrSet((ip) => down(ip));
        const r = runGate(large(), { nodes: [...rrNodes, ...clients], polls: [good, bad, good, bad, good, bad, good, bad, good, bad] });
        assert.equal(r.status, 1, "sessions that go up and down must not pass");
    });

    it("mesh sessions do not count for a reflector topology", () => {
        const r = runGate(large(), { nodes: [...rrNodes, ...clients], polls: [rrSet((ip) => up(ip, "NodeMesh"))] });
        assert.equal(r.status, 1);
    });

    it("top of rack: every node needs a session to each switch of its rack, and a node without a rack fails", () => {
        const tor = loadSettings(stackConfig("tor")).settings;
        const nodes = [node("node-r1-a", "10.1.0.1", { rack: "r1" }), node("node-r2-a", "10.2.0.1", { rack: "r2" }), node("stray", "10.3.0.1")];
        const sw = { "node-r1-a": [up("192.168.1.1", "GlobalPeer"), up("192.168.1.2", "GlobalPeer")], "node-r2-a": [up("192.168.2.1", "GlobalPeer"), up("192.168.2.2", "GlobalPeer")], stray: [] };
        const r = runGate(tor, { nodes, polls: [sw] });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /: 1 of 3: stray \(no rack: label rack missing or unknown; required: runs calico-node\)/);
        const ok = runGate(tor, { nodes: nodes.slice(0, 2), polls: [sw] });
        assert.equal(ok.status, 0, ok.stderr);
    });

    it("hybrid: clients need their rack's reflectors by address (switch sessions do not count); reflectors their switches only in the second gate", () => {
        const h = loadSettings(stackConfig("hybrid")).settings;
        const nodes = [node("rr-r1-a", "10.1.0.1", { rack: "r1" }), node("rr-r1-b", "10.1.0.2", { rack: "r1" }), node("node-r1-01", "10.1.0.3", { rack: "r1" })];
        const sw = [up("192.168.1.1", "GlobalPeer"), up("192.168.1.2", "GlobalPeer")];
        const rrUp = { "rr-r1-a": [up("10.1.0.2"), up("10.1.0.3")], "rr-r1-b": [up("10.1.0.1"), up("10.1.0.3")] };
        // A top-of-rack client that has only its two switch sessions: two sessions, but not the new ones.
        const onlySwitches = runGate(h, { nodes, polls: [{ ...rrUp, "node-r1-01": sw }] }, {}, { reflectorsOnly: true });
        assert.equal(onlySwitches.status, 1);
        assert.match(onlySwitches.stderr, /node-r1-01 \(has 0\/2; lacks rr-r1-a 10\.1\.0\.1, rr-r1-b 10\.1\.0\.2;/);
        const first = runGate(h, { nodes, polls: [{ ...rrUp, "node-r1-01": [up("10.1.0.1"), up("10.1.0.2")] }] }, {}, { reflectorsOnly: true });
        assert.equal(first.status, 0, first.stderr);
        assert.match(first.stdout, /hybrid reflector sessions Established/);
        // The second gate: the reflectors also need both switches of their rack.
        const second = runGate(h, { nodes, polls: [{ ...rrUp, "node-r1-01": [up("10.1.0.1"), up("10.1.0.2")] }] });
        assert.equal(second.status, 1);
        assert.match(second.stderr, /rr-r1-a \(has 1\/3; lacks 192\.168\.1\.1, 192\.168\.1\.2; required: runs calico-node\)/);
        const all = runGate(h, { nodes, polls: [{ "rr-r1-a": [...rrUp["rr-r1-a"].slice(0, 1), ...sw], "rr-r1-b": [...rrUp["rr-r1-b"].slice(0, 1), ...sw], "node-r1-01": [up("10.1.0.1"), up("10.1.0.2")] }] });
        assert.equal(all.status, 0, all.stderr);
    });

    it("mesh: every node needs a session to every other node", () => {
        const small = loadSettings(stackConfig("small")).settings;
        const nodes = [node("a", "10.0.0.1"), node("b", "10.0.0.2"), node("c", "10.0.0.3")];
        const full = { a: [up("10.0.0.2", "NodeMesh"), up("10.0.0.3", "NodeMesh")], b: [up("10.0.0.1", "NodeMesh"), up("10.0.0.3", "NodeMesh")], c: [up("10.0.0.1", "NodeMesh"), up("10.0.0.2", "NodeMesh")] };
        assert.equal(runGate(small, { nodes, polls: [full] }).status, 0);
        const r = runGate(small, { nodes, polls: [{ ...full, c: [up("10.0.0.1", "NodeMesh")] }] });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /c \(has 1\/2; lacks b 10\.0\.0\.2;/);
    });

    it("targets the provider's context and kubeconfig", () => {
        const r = runGate(large(), { nodes: [...rrNodes, ...clients], polls: [rrSet((ip) => up(ip))] }, { CALICO_KUBE_CONTEXT: "ctx-b", CALICO_KUBECONFIG: "apiVersion: v1" });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(r.log.length > 3 && r.log.filter((l) => l.startsWith("context ")).every((l) => l === "context ctx-b"));
        assert.ok(r.log.some((l) => l === "context ctx-b"));
    });
});

describe("FelixConfiguration through calicoctl patch", () => {
    it("WireGuard is a merge patch of FelixConfiguration default, undone on delete", () => {
        const { planFelix } = require("../../lib/render/bgp");
        const fake = makeFake();
        const c = { ...stackConfig("small"), "calico:calicoctl": { path: fake.bin } } as Record<string, any>;
        c["calico:network"] = { ...c["calico:network"], wireguard: true };
        const [p] = planFelix(loadSettings(c).settings);
        assert.equal(p.name, "felixconfiguration-default");
        assert.equal(sh(p.spec.create, fake, { stdin: p.spec.stdin }).status, 0);
        assert.equal(sh(p.spec.delete, fake).status, 0);
        assert.deepEqual(fake.calls(), ['patch felixconfiguration/default {"spec":{"wireguardEnabled":true}}', 'patch felixconfiguration/default {"spec":{"wireguardEnabled":false}}']);
        assert.deepEqual(planFelix(loadSettings(stackConfig("small")).settings), [], "nothing to patch by default");
    });
});
