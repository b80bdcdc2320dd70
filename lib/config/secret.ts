/**
 * An opaque holder for a secret config value (BGP password, Grafana admin password, SSH key,
 * kubeconfig). The pure core carries secrets only inside this wrapper, whose every printable form is
 * a placeholder, so a secret cannot reach a rendered manifest, a plan file, a command line or a log
 * by accident. Only the Pulumi shell calls `reveal()`, and wraps the result in `pulumi.secret`.
 */

const PLACEHOLDER = "[secret]";

/** A secret config value; `value` is undefined when it is still encrypted (the offline plan). */
export class Secret {
    readonly #value: string | undefined;
    readonly #deferred: unknown;

    /**
     * @param configKey where the value came from, e.g. `calico:bgp.peers[0].password`
     * @param value the plaintext, or undefined when it is only known to exist (an encrypted stack
     *   value, or a value that is known only at deployment)
     * @param deferred a value only the Pulumi shell can resolve (a `pulumi.Input<string>` given to
     *   CalicoCluster in code); opaque to the core
     */
    constructor(public readonly configKey: string, value: string | undefined, deferred?: unknown) {
        this.#value = value;
        this.#deferred = deferred;
    }

    /** The deferred value (see the constructor), for the Pulumi shell; undefined for config values. */
    get deferred(): unknown {
        return this.#deferred;
    }

    /** Whether the plaintext is available (false for encrypted values read by `plan`). */
    get known(): boolean {
        return this.#value !== undefined;
    }

    /** The plaintext. Only the Pulumi shell may call this, and must wrap the result in pulumi.secret. */
    reveal(): string {
        if (this.#value === undefined) throw new Error(`${this.configKey} is encrypted and cannot be read here`);
        return this.#value;
    }

    /** Placeholder that names the source key, used in rendered objects. */
    placeholder(): string {
        return `<secret ${this.configKey}>`;
    }

    toString(): string {
        return PLACEHOLDER;
    }

    toJSON(): string {
        return PLACEHOLDER;
    }

    [Symbol.for("nodejs.util.inspect.custom")](): string {
        return PLACEHOLDER;
    }
}

/** Marker for an encrypted value read from a stack file (`{ secure: "v1:..." }`). */
export interface EncryptedValue {
    /** The ciphertext, never decrypted by this project. */
    secure: string;
}

/** Whether a raw config value is an encrypted stack-file value. */
export function isEncrypted(v: unknown): v is EncryptedValue {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as EncryptedValue).secure === "string";
}
