/**
 * The upstream CRD schemas the rendered objects are validated against. Looked up in order:
 * $CALICO_UPSTREAM_DIR, ../shared/upstream beside this checkout, then a cache filled from the
 * projects' release URLs at the pinned tags. If none works the caller skips with the reason; a
 * schema test never passes without a schema.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { parseAllDocuments, parse } from "yaml";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

/** Pinned sources for the download fallback. */
const CALICO_RAW = "https://raw.githubusercontent.com/projectcalico/calico";
const PROM_OPERATOR_RAW = "https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/v0.89.0/example/prometheus-operator-crd";

function candidates(): string[] {
    const list = [process.env.CALICO_UPSTREAM_DIR, resolve(__dirname, "..", "..", "..", "shared", "upstream")];
    return list.filter((x): x is string => !!x);
}

let found: { dir?: string; reason?: string } | undefined;

/** Directory with calico/<version>/crds and prometheus-operator/v0.89.0/crds, or a reason why none (looked up once). */
export function upstreamDir(): { dir?: string; reason?: string } {
    found ??= findUpstream();
    return found;
}

function findUpstream(): { dir?: string; reason?: string } {
    for (const d of candidates()) if (existsSync(join(d, "calico"))) return { dir: d };
    const cache = resolve(process.env.CALICO_UPSTREAM_CACHE ?? join(__dirname, "..", "..", ".cache", "upstream"));
    if (existsSync(join(cache, "complete"))) return { dir: cache };
    try {
        downloadInto(cache);
        return { dir: cache };
    } catch (e) {
        return { reason: `no upstream CRDs: none in ${candidates().join(" or ")}, and downloading them failed (${(e as Error).message.split("\n")[0]})` };
    }
}

function fetchText(url: string): string {
    return execFileSync("curl", ["-fsSL", "--max-time", "60", url], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** Split operator-crds.yaml of each release into per-CRD files, as shared/upstream is laid out. */
function downloadInto(cache: string): void {
    for (const version of ["v3.27.3", "v3.31.3"]) {
        const dir = join(cache, "calico", version, "crds");
        mkdirSync(dir, { recursive: true });
        for (const doc of parseAllDocuments(fetchText(`${CALICO_RAW}/${version}/manifests/operator-crds.yaml`))) {
            const crd = doc.toJS() as { kind?: string; metadata?: { name: string } } | null;
            if (crd?.kind !== "CustomResourceDefinition" || !crd.metadata) continue;
            const [plural, ...group] = crd.metadata.name.split(".");
            writeFileSync(join(dir, `${group.join(".")}_${plural}.yaml`), doc.toString());
        }
    }
    const prom = join(cache, "prometheus-operator", "v0.89.0", "crds");
    mkdirSync(prom, { recursive: true });
    for (const f of ["monitoring.coreos.com_servicemonitors.yaml", "monitoring.coreos.com_prometheusrules.yaml", "monitoring.coreos.com_podmonitors.yaml"]) {
        writeFileSync(join(prom, f), fetchText(`${PROM_OPERATOR_RAW}/${f}`));
    }
    writeFileSync(join(cache, "complete"), "");
}

/**
 * Translate Go regexp syntax that JavaScript lacks: an inline (?i) flag (at the start or after `^`)
 * makes the rest of the pattern case-insensitive, so each letter after it becomes a two-case class.
 */
export function goPatternToJs(pattern: string): string {
    const at = pattern.indexOf("(?i)");
    if (at < 0) return pattern;
    let out = pattern.slice(0, at);
    let inClass = false;
    const body = pattern.slice(at + 4);
    for (let i = 0; i < body.length; i++) {
        const c = body[i];
        if (c === "\\") {
            out += c + (body[i + 1] ?? "");
            i++;
            continue;
        }
        if (c === "[") inClass = true;
        if (c === "]") inClass = false;
        if (/[a-z]/i.test(c)) out += inClass ? c.toLowerCase() + c.toUpperCase() : `[${c.toLowerCase()}${c.toUpperCase()}]`;
        else out += c;
    }
    return out;
}

/**
 * Turn a CRD openAPIV3Schema into a JSON Schema that rejects unknown fields: the API server prunes
 * them silently, which would drop the user's intent, so every object with declared properties is
 * closed unless the schema preserves unknown fields.
 */
export function strictSchema(node: any): any {
    if (Array.isArray(node)) return node.map(strictSchema);
    if (!node || typeof node !== "object") return node;
    const out: any = {};
    for (const [k, v] of Object.entries(node)) {
        if (k.startsWith("x-kubernetes-")) continue;
        if (k === "pattern" && typeof v === "string") out.pattern = goPatternToJs(v);
        else if (k === "properties") out.properties = Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictSchema(s)]));
        else out[k] = strictSchema(v);
    }
    if (node["x-kubernetes-int-or-string"]) {
        delete out.type;
        out.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    if (node.properties && !node["x-kubernetes-preserve-unknown-fields"] && node.additionalProperties === undefined) out.additionalProperties = false;
    return out;
}

/** Validators keyed by `group/kind` for one CRD directory. */
export class CrdValidators {
    private readonly ajv: Ajv;
    private readonly cache = new Map<string, ValidateFunction>();

    constructor(private readonly dir: string) {
        this.ajv = new Ajv({ strict: false, allErrors: true });
        addFormats(this.ajv);
        for (const f of ["int32", "int64", "byte", "double", "float"]) this.ajv.addFormat(f, true);
    }

    /** Validator for the CRD in `file` (served version v1). */
    validator(file: string): ValidateFunction {
        let v = this.cache.get(file);
        if (!v) {
            const crd = parse(readFileSync(join(this.dir, file), "utf8"));
            const version = crd.spec.versions.find((x: any) => x.served) ?? crd.spec.versions[0];
            v = this.ajv.compile(strictSchema(version.schema.openAPIV3Schema));
            this.cache.set(file, v);
        }
        return v;
    }

    /** Validate; returns error strings (empty when valid). */
    check(file: string, object: unknown): string[] {
        const v = this.validator(file);
        if (v(object)) return [];
        return (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${(e.params as any).additionalProperty})` : ""}`);
    }
}
