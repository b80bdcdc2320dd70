/**
 * BGP AS numbers as Calico reads them: `numorstring.ASNumber` (projectcalico/calico
 * api/pkg/lib/numorstring/asnumber.go, identical at v3.27.3 and v3.31.3) takes a JSON number, or a
 * string holding either a plain decimal (asplain) or two 16-bit decimals joined by a dot (asdot,
 * RFC 5396). calicoctl stores the result as one uint32, so rendered objects carry that number.
 */

/** The largest 4-byte AS number (RFC 6793). */
export const AS_MAX = 4294967295;

/** A parsed AS number, or the reason it is not one. */
export type AsNumberResult = { readonly value: number } | { readonly error: string };

const ASDOT_HINT = 'an AS number is a whole number (64512) or asdot text in quotes ("65000.100")';

/**
 * Read an AS number from a config value. A non-integer number is refused even though it looks like
 * asdot: YAML and JSON read an unquoted `65000.100` as the number 65000.1, so the digits after the
 * dot are no longer known (65000.1 and 65000.100 are different ASes), and calicoctl refuses a
 * fractional JSON number too (ASNumber.UnmarshalJSON accepts a uint32 or a string).
 */
export function parseAsNumber(v: unknown): AsNumberResult {
    if (typeof v === "number") {
        if (!Number.isInteger(v)) {
            return { error: `${v} is not a whole number: YAML reads unquoted asdot such as 65000.100 as the decimal 65000.1 and drops digits, so write asdot in quotes exactly as meant, e.g. "65000.100" (calicoctl refuses the unquoted form too)` };
        }
        return inRange(v);
    }
    if (typeof v !== "string") return { error: ASDOT_HINT };
    // strconv.ParseUint(s, 10, 32): decimal digits only (no sign, no spaces), leading zeros allowed.
    if (/^[0-9]+$/.test(v)) return inRange(Number(v));
    const parts = v.split(".");
    if (parts.length === 2 && parts.every((p) => /^[0-9]+$/.test(p) && Number(p) <= 65535)) {
        return inRange(Number(parts[0]) * 65536 + Number(parts[1]));
    }
    return { error: `${ASDOT_HINT}; asdot is two numbers 0–65535 joined by a dot` };
}

function inRange(n: number): AsNumberResult {
    // 0 is reserved (RFC 7607) and would make the node's BGP speaker refuse every session; numorstring
    // itself would take it, so this bound is ours.
    if (n === 0) return { error: "AS 0 is reserved (RFC 7607) and cannot be used for a BGP session; use a private AS such as 64512" };
    if (n > AS_MAX) return { error: `must be at most ${AS_MAX} (4-byte AS numbers, RFC 6793)` };
    return { value: n };
}

/** The asdot form of an AS number (RFC 5396), for messages: 4259840100 → "65000.100". */
export function asdot(n: number): string {
    return n > 65535 ? `${Math.floor(n / 65536)}.${n % 65536}` : String(n);
}
