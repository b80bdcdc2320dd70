/**
 * The calicoctl Command strings and the BGP wait script, executed for real by /bin/sh against a fake
 * calicoctl (and curl) on PATH that check their arguments, environment and stdin.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettings } from "../../lib/config/load";
import type { ClusterSettings } from "../../lib/config/settings";
import { applyCommand, calicoctlPrelude, patchCommand } from "../../lib/render/calicoctl";
import { planBgp, renderBgpConfiguration, renderWaitScript } from "../../lib/render/bgp";
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
        const s = settings({ "calico:calicoctl": { cacheDir: cache } });
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

    it("refuses a calicoctl of another version", () => {
        const fake = makeFake();
        const s = settings({ "calico:calicoctl": { path: fake.bin } });
        const r = sh(`${calicoctlPrelude(s)}\necho unreachable`, fake, { env: { FAKE_VERSION: "v3.27.3" } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /reports client version 'v3\.27\.3', expected v3\.31\.3/);
    });
});

describe("BGP session wait before the mesh goes off", () => {
    const waitFor = (scenario: string) => {
        const fake = makeFake();
        const base = settings({ "calico:calicoctl": { path: fake.bin } });
        const fast: ClusterSettings = { ...base, bgp: { ...base.bgp, migration: { waitTimeoutSeconds: 3, pollIntervalSeconds: 1, minEstablishedPerReflector: 1 } } };
        const script = `${calicoctlPrelude(fast)}\n${renderWaitScript(fast, ["rr-1"])}`;
        const started = Date.now();
        const r = sh(script, fake, { env: { FAKE_SCENARIO: scenario } });
        return { ...r, seconds: (Date.now() - started) / 1000 };
    };

    it("passes once reflector sessions are Established on consecutive checks", () => {
        const r = waitFor("established");
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /rr-1: 1 BGP sessions Established/);
    });

    it("fails with a clear message, leaving the mesh on, when sessions never come up", () => {
        const r = waitFor("never");
        assert.equal(r.status, 1);
        assert.match(r.stderr, /BGP sessions not Established on rr-1 after 3s .*the node-to-node mesh stays on/);
    });

    it("does not accept a flapping session", () => {
        const r = waitFor("flapping");
        assert.equal(r.status, 1, "a session that goes up and down must not pass");
        assert.match(r.stderr, /not Established on rr-1/);
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
