/**
 * Plain Kubernetes objects and their deterministic YAML form. Rendered objects may hold Secret
 * instances where a secret belongs; YAML output replaces them with a placeholder naming the key.
 */
import { stringify } from "yaml";
import { Secret } from "../config/secret";

/** A Kubernetes (or projectcalico.org/v3) object. */
export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    [field: string]: unknown;
}

/** Deep copy with every Secret replaced by `f(secret)`. */
export function mapSecrets<T>(value: T, f: (s: Secret) => unknown): T {
    if (value instanceof Secret) return f(value) as T;
    if (Array.isArray(value)) return value.map((v) => mapSecrets(v, f)) as T;
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = mapSecrets(v, f);
        return out as T;
    }
    return value;
}

/** YAML text of an object: stable key order (as built), no anchors, secrets as placeholders. */
export function toYaml(obj: unknown): string {
    return stringify(mapSecrets(obj, (s) => s.placeholder()), { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** The Pulumi type token @pulumi/kubernetes registers for an object (core group is `core`). */
export function kubernetesType(apiVersion: string, kind: string): string {
    const gv = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${gv}:${kind}`;
}

/** Drop undefined fields so that the rendered object has only what was set. */
export function compact<T extends Record<string, unknown>>(o: T): T {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
