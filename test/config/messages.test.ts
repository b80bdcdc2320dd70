/**
 * Messages that must not mislead (bad input, class 13), and YAML merge keys resolved as the Pulumi
 * CLI resolves them (class 14).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPlan } from "../../cli/plan";
import { readStackConfig } from "../../lib/config/stackfile";
import { fromPulumiConfig } from "../../lib/config/raw";

function planText(yaml: string) {
    const file = join(mkdtempSync(join(tmpdir(), "msg-")), "Pulumi.t.yaml");
    writeFileSync(file, yaml);
    let out = "";
    const code = runPlan(["--stack-file", file], { stdout: (t) => (out += t), stderr: (t) => (out += t) });
    return { code, out, file };
}

const BASE = `config:
  calico:kubernetesVersion: "1.33"
  calico:cluster: { name: t, nodeCount: 10, podCidr: 10.244.0.0/16, serviceCidr: 10.96.0.0/12 }
`;

describe("messages that do not mislead", () => {
    it(".inf is refused at its key, never shown as null (the Pulumi CLI cannot pass infinity to a program)", () => {
        const r = planText(BASE.replace("nodeCount: 10", "nodeCount: .inf"));
        assert.equal(r.code, 2);
        assert.match(r.out, /calico:cluster\.nodeCount: at .*, is infinity or NaN/);
        assert.doesNotMatch(r.out, /null/);
    });
    it("an integer beyond 2^53 is shown with every digit, in plan and in the program", () => {
        const r = planText(BASE.replace("nodeCount: 10", "nodeCount: 12345678901234567890"));
        assert.equal(r.code, 2);
        assert.match(r.out, /calico:cluster\.nodeCount: is beyond 2\^53 .*\(got 12345678901234567890\)/);
        const program = fromPulumiConfig({ "calico:cluster": '{"name":"t","nodeCount":12345678901234567890,"podCidr":"10.244.0.0/16","serviceCidr":"10.96.0.0/12"}' });
        assert.equal((program["calico:cluster"] as { nodeCount: unknown }).nodeCount, 12345678901234567890n);
    });
    it("an unquoted 1.30 gets a hint to quote it", () => {
        const r = planText(BASE.replace('"1.33"', "1.30"));
        assert.equal(r.code, 2);
        assert.match(r.out, /YAML read it as the number 1\.3 .*write it in quotes/);
    });
    it("10.244/17 is not reported as host bits on 10.0.0.0/17", () => {
        const r = planText(BASE.replace("podCidr: 10.244.0.0/16", "podCidr: 10.244/17"));
        assert.equal(r.code, 2);
        assert.doesNotMatch(r.out, /10\.0\.0\.0\/17/);
        assert.match(r.out, /calico:cluster\.podCidr: .*dotted-quad/);
    });
    it("a config: that is not a mapping is one clear error, not one per character", () => {
        const r = planText("config: just some text\n");
        assert.equal(r.code, 1);
        assert.match(r.out, /config: must be a mapping/);
        assert.equal(r.out.trim().split("\n").length, 1);
    });
});

describe("YAML merge keys", () => {
    it("`<<` merges are resolved, as the Pulumi CLI's YAML parser does", () => {
        const yaml = `x-pool: &pool { blockSize: 26, encapsulation: IPIP, natOutgoing: true }
config:
  calico:kubernetesVersion: "1.33"
  calico:cluster: { name: t, nodeCount: 10, podCidr: 10.244.0.0/16, serviceCidr: 10.96.0.0/12 }
  calico:network:
    ipPools:
      - { <<: *pool, name: a, cidr: 10.244.0.0/17 }
      - { <<: *pool, name: b, cidr: 10.244.128.0/17, encapsulation: VXLAN }
`;
        const r = planText(yaml);
        assert.equal(r.code, 0, r.out);
        const pools = (readStackConfig(r.file)["calico:network"] as any).ipPools;
        assert.deepEqual(pools[0], { blockSize: 26, encapsulation: "IPIP", natOutgoing: true, name: "a", cidr: "10.244.0.0/17" });
        assert.equal(pools[1].encapsulation, "VXLAN", "an explicit key wins over the merged one");
    });
});

describe("secrets in parse errors and misspelt keys (bad input, third pass)", () => {
    it("a YAML syntax error names the file, line and column and quotes no line of the file", () => {
        const { code, out, file } = planText(`config:\n  calico:kubeconfig: "apiVersion: v1\n    token: yaml-tok-Rr5\n  calico:cluster: {name: x\n`);
        // 1: the file cannot be read (plan's exit code for an unreadable stack file).
        assert.equal(code, 1);
        assert.match(out, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:5:1: YAML syntax error \\(MISSING_CHAR\\): Missing closing "quote`));
        assert.doesNotMatch(out, /yaml-tok-Rr5|calico:cluster: \{name/);
        assert.doesNotMatch(out, /\\u000a/);
    });

    it("a misspelt key gets a did-you-mean, at the top and inside a section, and its value is never shown", () => {
        const { out } = planText(`${BASE}  calico:kube-config: "users: [{user: {token: kc-tok-Zq1}}]"\n  calico:bgp: { peers: [{ name: e, peerIP: 192.0.2.1, asNumber: 65001, passwrd: pw-typo-Kk2 }] }\n`);
        assert.match(out, /calico:kube-config: unknown key \(did you mean "kubeconfig"\?\)/);
        assert.match(out, /calico:bgp\.peers\[0\]\.passwrd: unknown key \(did you mean "password"\?\)/);
        assert.doesNotMatch(out, /kc-tok-Zq1|pw-typo-Kk2/);
    });

    it("passwords at the edges Calico and the kernel take are accepted: 80 bytes, 40 two-byte characters, printable punctuation", () => {
        for (const password of ["p".repeat(80), "é".repeat(40), "!#$%&()*+,-./:;<=>?@[]^_`{|}~ spaced"]) {
            const { code, out } = planText(`${BASE}  calico:bgp:\n    peers:\n      - { name: e, peerIP: 192.0.2.1, asNumber: 65001, password: ${JSON.stringify(password)} }\n`);
            assert.equal(code, 0, out);
        }
    });
});

describe("namespaces the program owns (bad input, third pass): valid edges", () => {
    it("ServiceMonitors may live in kube-system when nothing is installed there, and a benchmark namespace of its own is fine", () => {
        for (const extra of [
            "  calico:monitoring: { namespace: kube-system }\n",
            "  calico:benchmark: { enabled: true, nodes: [n1, n2], namespace: net-bench }\n",
            "  calico:monitoring: { namespace: obs, install: { prometheus: true } }\n  calico:benchmark: { enabled: true, nodes: [n1, n2], namespace: monitoring }\n",
        ]) {
            const { code, out } = planText(`${BASE}${extra}`);
            assert.equal(code, 0, out);
        }
    });
});

describe("names and labels the program owns (bad input, third pass): valid edges", () => {
    it("a rack label of one's own domain, and a declared node whose rack label agrees, are accepted", () => {
        const tor = "  calico:bgp:\n    mode: tor\n    tor:\n      rackLabel: example.com/rack\n      racks:\n        - { name: r1, nodes: [n1], switches: [{ peerIP: 192.168.1.1, asNumber: 65001 }] }\n";
        const { code, out } = planText(`${BASE.replace("name: t,", "name: t, nodes: [{ name: n1, labels: { example.com/rack: r1 } }],")}${tor}`);
        assert.equal(code, 0, out);
    });
});

describe("settings that contradict each other (bad input, third pass): warnings and valid edges", () => {
    const warningsOf = (extra: string) => {
        const file = join(mkdtempSync(join(tmpdir(), "msg-")), "Pulumi.t.yaml");
        writeFileSync(file, `${BASE}${extra}`);
        let out = "";
        const code = runPlan(["--stack-file", file, "--json"], { stdout: (t) => (out += t), stderr: () => undefined });
        assert.equal(code, 0, out);
        return (JSON.parse(out).warnings as string[]).join("\n");
    };

    for (const [extra, key] of [
        ["  calico:network: { bgp: false, ipPools: [{ name: p, cidr: 10.244.0.0/16, encapsulation: VXLAN }] }\n  calico:bgp: { listenPort: 1790 }\n", "calico:bgp.listenPort: is ignored: calico:network.bgp is false"],
        ["  calico:monitoring: { enabled: false, install: { prometheus: true } }\n", "calico:monitoring.install.prometheus: is ignored: calico:monitoring.enabled is false"],
        ["  calico:monitoring: { install: { grafanaAdminPassword: { secure: AAAA } } }\n", "calico:monitoring.install.grafanaAdminPassword: is ignored: calico:monitoring.install.grafana is false"],
        ["  calico:monitoring: { install: { grafanaChartPath: ./charts/grafana } }\n", "calico:monitoring.install.grafanaChartPath: is ignored"],
        ["  calico:monitoring: { install: { serviceType: NodePort } }\n", "calico:monitoring.install.serviceType: is ignored"],
        ["  calico:monitoring: { install: { prometheusChartPath: ./charts/kps } }\n", "calico:monitoring.install.prometheusChartPath: is ignored: calico:monitoring.install.prometheus is false"],
    ] as const) {
        it(`warns, naming the key: ${key.split(":").slice(0, 2).join(":")}`, () => {
            const w = warningsOf(extra);
            assert.ok(w.includes(key), w);
            assert.ok(!w.includes("AAAA"), "a secret value in a warning");
        });
    }

    it("accepts the values at each new rule's edge", () => {
        const API = (host: string) => `${BASE.replace("serviceCidr: 10.96.0.0/12 }", `serviceCidr: 10.96.0.0/12, apiServer: { host: ${host} } }`)}  calico:network: { dataplane: bpf }\n`;
        for (const extra of [
            // eBPF with the API server's real address next to (not inside) the Service and pod ranges, or a host name of its own
            API(`10.95.255.255`),
            API(`10.245.0.1`),
            API(`kubernetes.example.com`),
            API(`kubernetes-api.internal`),
            // IPv4 autodetection with IPv4 values and a host name
            "  calico:network: { autodetection: { cidrs: [10.0.0.0/8, 192.168.0.0/16] } }\n",
            "  calico:network: { autodetection: { canReach: 8.8.8.8 } }\n",
            "  calico:network: { autodetection: { canReach: dns.example.com } }\n",
            // a benchmark on the smallest cluster that has two nodes
            "  calico:benchmark: { enabled: true, nodes: [n1, n2] }\n",
            // ports next to Kubernetes' own
            "  calico:bgp: { listenPort: 10251 }\n",
            "  calico:monitoring: { felixMetricsPort: 10247, typhaMetricsPort: 10257 }\n",
            // addresses with an @ that is no credential, and a registry with a port and path
            "  calico:registry: { url: registry.example.com:5000/mirror/ }\n",
            "  calico:operator: { manifest: https://mirror.example.com/calico/v3.31.3/tigera-operator.yaml?ref=a@b }\n",
            "  calico:operator: { manifest: ./manifests/tigera-operator@v3.31.3.yaml }\n",
            // monitoring settings that belong to what is installed
            "  calico:monitoring: { install: { grafana: true, grafanaAdminPassword: pw, serviceType: NodePort, grafanaNodePort: 30100 } }\n",
        ]) {
            const { code, out } = planText(extra.startsWith("config:") ? extra : `${BASE}${extra}`);
            assert.equal(code, 0, `${extra}\n${out}`);
        }
    });
});
