/**
 * Derived names stay valid at the longest inputs config allows: every rendered object name, label
 * and Pulumi resource name, for names at their length limits (bad input, class 10: derived names
 * such as `tor-<rack>-<n>` must keep within their 63/253 limits).
 */
import { strict as assert } from "node:assert";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render";
import { objectsOf } from "../support/objects";
import { baseConfig, type RawConfig } from "../support/configs";

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** Kinds whose names Kubernetes checks as DNS-1035/1123 labels (≤ 63) rather than subdomains. */
const LABEL_NAMED = new Set(["Service", "Namespace"]);

const long = (n: number, seed: string) => (seed + "x".repeat(n)).slice(0, n - 1) + "z";
const dotted = (n: number) => Array.from({ length: Math.ceil(n / 64) }, (_, i) => long(63, `p${i}`)).join(".").slice(0, n).replace(/[.-]$/, "z");

function longest(): RawConfig[] {
    const racks = [0, 1].map((i) => long(63, `r${i}`));
    const nodes = [0, 1, 2].map((i) => dotted(253).replace(/^p0/, `n${i}`));
    const tor = baseConfig();
    tor["calico:cluster"].name = long(63, "cluster");
    tor["calico:cluster"].nodeCount = 3;
    tor["calico:bgp"] = {
        mode: "tor",
        tor: { rackLabel: `${dotted(253)}/${long(63, "rack")}`, racks: racks.map((r, i) => ({ name: r, nodes: [nodes[i]], asNumber: "65000.100", switches: [{ peerIP: `192.168.${i}.1`, asNumber: 65001 }, { peerIP: `192.168.${i}.2`, asNumber: 65001, password: "pw" }] })) },
        peers: [{ name: dotted(253), peerIP: "192.0.2.9", asNumber: 65010, password: "pw" }],
    };
    const rr = baseConfig();
    rr["calico:cluster"].nodeCount = 400;
    rr["calico:cluster"].nodes = nodes.map((name) => ({ name }));
    rr["calico:network"].ipPools[0].name = dotted(253);
    rr["calico:bgp"] = { mode: "routeReflector", routeReflectors: { nodes } };
    rr["calico:monitoring"] = { namespace: long(63, "mon"), install: { prometheus: true, grafana: true, grafanaAdminPassword: "pw" } };
    rr["calico:nodePrep"] = { mode: "ssh", ssh: { nodes: [{ host: dotted(253) }], privateKey: "k" } };
    return [tor, rr];
}

describe("derived names at the longest inputs", () => {
    for (const [i, config] of longest().entries()) {
        it(`keeps every object name, label and resource name valid (config ${i + 1})`, () => {
            const plan = planResources(loadSettings(config).settings);
            const resourceNames = plan.map((p) => p.name);
            assert.equal(new Set(resourceNames).size, resourceNames.length, "two resources share a name");
            const objects = objectsOf(plan);
            assert.ok(objects.length > 10);
            for (const o of objects) {
                const name = o.metadata.name;
                if (LABEL_NAMED.has(o.kind)) assert.ok(name.length <= 63 && LABEL.test(name), `${o.kind} name ${name}`);
                else assert.ok(name.length <= 253 && SUBDOMAIN.test(name), `${o.kind} name ${name} (${name.length})`);
                if (o.metadata.namespace) assert.ok(o.metadata.namespace.length <= 63 && LABEL.test(o.metadata.namespace), `${o.kind} namespace`);
                for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
                    assert.ok(LABEL_VALUE.test(v), `${o.kind}/${name} label ${k}=${v}`);
                    const namepart = k.slice(k.lastIndexOf("/") + 1);
                    assert.ok(namepart.length <= 63 && (k.lastIndexOf("/") < 0 || k.lastIndexOf("/") <= 253), `${o.kind}/${name} label key ${k}`);
                }
                if (o.kind === "Secret") for (const key of Object.keys((o as { stringData?: object }).stringData ?? {})) assert.ok(key.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(key), `Secret key ${key}`);
            }
        });
    }
});
