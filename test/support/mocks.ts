/**
 * The one place that installs Pulumi mocks (setMocks is process-global). `runStack` runs the
 * program for one config and returns every registration with its parent, dependsOn and options,
 * captured by a stack transformation because mocks themselves do not see them.
 */
import * as pulumi from "@pulumi/pulumi";
import { DESTROY_GUARD } from "../../lib/render/safety";

/** One registered resource as the tests see it. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    /** Inputs as the mock monitor received them (secrets arrive wrapped). */
    inputs: Record<string, any>;
    /** Name of the parent resource (undefined for the stack's direct children). */
    readonly parent?: string;
    /** Names of explicit dependsOn resources. */
    readonly dependsOn: string[];
    /** The resource options as given (additionalSecretOutputs and so on). */
    readonly opts: pulumi.ResourceOptions & Record<string, any>;
    /** The URN the engine gives it: `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`. */
    readonly urn: string;
    /** The URNs its aliases name (each `{ name }` alias under the same parent). */
    readonly aliasUrns: string[];
}

/** What one program run registered and exported. */
export interface StackRun {
    readonly registrations: Registration[];
    readonly outputs: Record<string, any>;
    /** What the program threw, if it failed. */
    readonly error?: unknown;
}

let monitorInputs = new Map<string, Record<string, any>>();
const stackReferences = new Map<string, Record<string, any>>();

const commandStdout = new Map<string, string>();

/** What the mocked command `name` prints (its `stdout` output); unset ones print nothing. */
export function setCommandStdout(name: string, stdout: string | undefined): void {
    if (stdout === undefined) commandStdout.delete(name);
    else commandStdout.set(name, stdout);
}

/** Outputs a mocked StackReference to `stack` returns. */
export function setStackReferenceOutputs(stack: string, outputs: Record<string, any>): void {
    stackReferences.set(stack, outputs);
}

function install(): void {
    pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                monitorInputs.set(`${a.type}::${a.name}`, a.inputs);
                if (a.type === "pulumi:pulumi:StackReference") {
                    const stack = (a.inputs.name as string | undefined) ?? a.name;
                    return { id: stack, state: { name: stack, outputs: stackReferences.get(stack) ?? {}, secretOutputNames: [] } };
                }
                if (a.type === "command:local:Command" && commandStdout.has(a.name)) return { id: `${a.name}-id`, state: { ...a.inputs, stdout: commandStdout.get(a.name) } };
                return { id: `${a.name}-id`, state: a.inputs };
            },
            call: () => ({}),
        },
        "calico",
        "test",
        false,
        "organization",
    );
}
install();

const nameOf = (r: unknown): string => (r as { __name?: string }).__name ?? "?";

/**
 * Run `program` inside a fresh mocked stack and wait until every registration is through.
 * @param program builds resources and returns the outputs
 */
export async function runStack(program: () => unknown): Promise<StackRun> {
    const run = await runStackSettled(program);
    if (run.error !== undefined) throw run.error;
    return run;
}

/** Like runStack, but a failing program yields `error` and whatever was registered before it. */
export async function runStackSettled(program: () => unknown): Promise<StackRun> {
    monitorInputs = new Map();
    install();
    const caps: Omit<Registration, "inputs">[] = [];
    // Each resource's qualified type (its parents' types and its own), as the engine builds URNs.
    const qualified = new WeakMap<pulumi.Resource, string>();
    let outputs: Record<string, any> = {};
    let error: unknown;
    try {
        outputs = (await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((a) => {
                const deps = a.opts.dependsOn === undefined ? [] : Array.isArray(a.opts.dependsOn) ? a.opts.dependsOn : [a.opts.dependsOn];
                const parentType = a.opts.parent ? qualified.get(a.opts.parent) : undefined;
                const qtype = parentType && a.opts.parent && (a.opts.parent as unknown as { __pulumiType?: string }).__pulumiType !== "pulumi:pulumi:Stack" ? `${parentType}$${a.type}` : a.type;
                qualified.set(a.resource, qtype);
                const urnOf = (name: string) => `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qtype}::${name}`;
                // `{ name }` aliases under the same parent (the only kind the program gives).
                const aliasUrns = (a.opts.aliases ?? []).flatMap((x) => (typeof x === "object" && x !== null && "name" in x && typeof x.name === "string" && Object.keys(x).length === 1 ? [urnOf(x.name)] : []));
                caps.push({ type: a.type, name: a.name, parent: a.opts.parent ? nameOf(a.opts.parent) : undefined, dependsOn: (deps as unknown[]).map(nameOf), opts: a.opts as Registration["opts"], urn: urnOf(a.name), aliasUrns });
                return undefined;
            });
            return program();
        })) as Record<string, any>;
    } catch (e) {
        error = e;
    } finally {
        await pulumi.runtime.disconnect();
    }
    const registrations = caps.map((c) => ({ ...c, inputs: monitorInputs.get(`${c.type}::${c.name}`) ?? {} }));
    return { registrations, outputs: outputs ?? {}, error };
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Whether a mock input value is a wrapped secret. */
export function isWrappedSecret(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270";
}

/** Deep copy of inputs with secrets unwrapped. */
export function unwrap(v: any): any {
    if (isWrappedSecret(v)) return unwrap(v.value);
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
    return v;
}

/**
 * Whether a registration is a command that reaches the cluster (calicoctl, the gates, the checks):
 * every local Command but the destroy guard, which only decides whether a destroy may go on.
 */
export function reachesCluster(r: Registration): boolean {
    return r.type === "command:local:Command" && !r.name.endsWith(`-${DESTROY_GUARD}`);
}
