/**
 * Config helpers for tests: a valid base, deep edits by path, and conversion to the forms Pulumi
 * (allConfig strings) and stack files (YAML) use.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

/** A raw config: `calico:<key>` → value. */
export type RawConfig = Record<string, any>;

/** A valid 10-node mesh cluster with two pools. */
export function baseConfig(): RawConfig {
    return {
        "calico:kubernetesVersion": "1.33",
        "calico:cluster": { name: "t", nodeCount: 10, podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12" },
        "calico:network": {
            ipPools: [
                { name: "p1", cidr: "10.244.0.0/17", encapsulation: "IPIP" },
                { name: "p2", cidr: "10.244.128.0/17", encapsulation: "IPIP" },
            ],
        },
    };
}

/** A valid dual-stack variant (third pool is IPv6). */
export function dualStackConfig(): RawConfig {
    const c = baseConfig();
    c["calico:cluster"].podCidr = ["10.244.0.0/16", "fd00:10:244::/56"];
    c["calico:network"].ipPools.push({ name: "p6", cidr: "fd00:10:244::/64", encapsulation: "VXLAN" });
    return c;
}

/**
 * Set `value` at a path like `calico:network.ipPools[1].cidr` (undefined deletes), creating
 * containers as needed. Returns the config for chaining.
 */
export function setPath(c: RawConfig, path: string, value: unknown): RawConfig {
    const [top, ...rest] = path.split(/\.(?![^\[]*\])/);
    const segs: (string | number)[] = [];
    for (const part of rest) {
        const m = part.match(/^([^\[]+)((\[\d+\])*)$/);
        if (!m) throw new Error(`bad path ${path}`);
        segs.push(m[1]);
        for (const idx of m[2].matchAll(/\[(\d+)\]/g)) segs.push(Number(idx[1]));
    }
    if (!segs.length) {
        if (value === undefined) delete c[top];
        else c[top] = value;
        return c;
    }
    let cur = (c[top] ??= {});
    for (let i = 0; i < segs.length - 1; i++) cur = cur[segs[i]] ??= typeof segs[i + 1] === "number" ? [] : {};
    const last = segs[segs.length - 1];
    if (value === undefined) delete cur[last];
    else cur[last] = value;
    return c;
}

/** The form `pulumi.runtime.allConfig()` returns: every value a string, objects as JSON. */
export function toPulumiConfig(c: RawConfig): Record<string, string> {
    return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === "string" ? v : jsonWithBigInts(v)]));
}

/** JSON text in which bigints are written as their exact digits, as the Pulumi CLI writes large integers. */
export function jsonWithBigInts(v: unknown): string {
    return JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `@@big:${x}@@` : x)).replace(/"@@big:(-?\d+)@@"/g, "$1");
}

/** Write a stack file for `c` into a fresh temp dir; returns its path. */
export function writeStackFile(c: RawConfig): string {
    const dir = mkdtempSync(join(tmpdir(), "calico-stack-"));
    const file = join(dir, "Pulumi.test.yaml");
    writeFileSync(file, stringify({ config: c }));
    return file;
}
