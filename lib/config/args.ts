/**
 * CalicoCluster's arguments as data: the stack config's shape (its keys without the `calico:`
 * prefix), typed from the zod schema's input type, so the schema is the one source of every field,
 * its TSDoc and its default. Secret fields take any value the caller's secret type allows (the
 * component uses `pulumi.Input<string>`); every other field is a plain value, so that validation and
 * the offline plan work before deployment.
 */
import type { z } from "zod";
import type { configSchema } from "./schema";
import { Secret } from "./secret";
import { SECRET_FIELDS } from "./schema";
import { NAMESPACE } from "./raw";
import type { KUBERNETES_VERSIONS } from "../model/versions";
import type { ConfigIssue } from "./errors";

/** `T` with the schema's Secret wrapper replaced by `S` wherever a secret is taken. */
export type WithSecrets<T, S> = T extends Secret
    ? S
    : T extends readonly (infer U)[]
      ? WithSecrets<U, S>[]
      : T extends object
        ? { [K in keyof T]: WithSecrets<T[K], S> }
        : T;

/**
 * The config as a program writes it: the stack config's keys without the `calico:` prefix
 * (`version`, `kubernetesVersion`, `cluster`, `network`, `bgp`, …), each documented with its
 * default in lib/config/schema.ts.
 * @typeParam S the type a secret field takes (plain text for the plan; `pulumi.Input<string>` for
 *   CalicoCluster)
 */
export type CalicoConfig<S = string> = WithSecrets<Omit<z.input<typeof configSchema>, "kubernetesVersion">, S> & {
    /** Kubernetes minor version of the cluster: `1.28`, `1.33` or `1.34` (required), checked against the release's support list. */
    kubernetesVersion: (typeof KUBERNETES_VERSIONS)[number];
};

/** Fields that may hold a secret, by name (SECRET_FIELDS), plus the context name. */
function secretCapable(field: string, depth: number): boolean {
    return SECRET_FIELDS.has(field) || (depth === 0 && field === "kubeContext");
}

/**
 * Turn arguments into raw config keyed `calico:<key>`, as loadSettings reads it. A secret field whose
 * value only the shell can resolve (`isDeferred`, e.g. a pulumi Output) becomes a Secret carrying it;
 * such a value anywhere else is an issue, since it could not be validated or planned.
 * @param args CalicoClusterArgs without the shell's own fields (provider)
 * @param isDeferred whether a value is resolved only at deployment (Output, Promise)
 */
export function configFromArgs(args: Readonly<Record<string, unknown>>, isDeferred: (v: unknown) => boolean): { raw: Record<string, unknown>; issues: ConfigIssue[] } {
    const issues: ConfigIssue[] = [];
    const walk = (value: unknown, path: string, field: string, depth: number): unknown => {
        if (isDeferred(value)) {
            if (secretCapable(field, depth)) return new Secret(`${NAMESPACE}:${path}`, undefined, value);
            issues.push({ path: `${NAMESPACE}:${path}`, value: "[an Output]", message: `must be a plain value: only secret fields (${[...SECRET_FIELDS].join(", ")}, kubeContext) take a pulumi Output, because the rest is validated and planned before deployment` });
            return undefined;
        }
        if (value instanceof Secret || value === null || typeof value !== "object") return value;
        if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`, "", depth + 1));
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = walk(v, `${path}.${k}`, k, depth + 1);
        return out;
    };
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(args)) {
        if (value === undefined) continue;
        raw[`${NAMESPACE}:${key}`] = walk(value, key, key, 0);
    }
    return { raw, issues };
}

