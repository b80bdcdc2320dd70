/**
 * CIDR arithmetic over ipaddr.js: parsing with a reason, containment and overlap.
 */
import * as ipaddr from "ipaddr.js";

/** A parsed CIDR. */
export interface Cidr {
    /** The text as written in config. */
    readonly text: string;
    /** 4 or 6. */
    readonly family: 4 | 6;
    /** The network address. */
    readonly address: ipaddr.IPv4 | ipaddr.IPv6;
    /** Prefix length. */
    readonly prefix: number;
}

/** Parse "a.b.c.d/n" or "x::/n"; returns a reason string when invalid. */
export function parseCidr(text: string): Cidr | string {
    if (typeof text !== "string" || !text.includes("/")) return "expected an address with a prefix length, e.g. 10.244.0.0/16";
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
        parsed = ipaddr.parseCIDR(text);
    } catch {
        return "not a valid IPv4 or IPv6 CIDR";
    }
    const [address, prefix] = parsed;
    const family = address.kind() === "ipv4" ? 4 : 6;
    if (family === 6 && (address as ipaddr.IPv6).isIPv4MappedAddress()) return "IPv4-mapped IPv6 CIDRs are not supported";
    const network = family === 4 ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
    if (network.toString() !== address.toString()) {
        return `host bits are set; the network address is ${network.toString()}/${prefix}`;
    }
    return { text, family, address, prefix };
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
    return (inner.address as ipaddr.IPv4).match(outer.address as ipaddr.IPv4, outer.prefix);
}

/** Whether two CIDRs share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    return cidrContains(a, b) || cidrContains(b, a);
}

/** Whether a plain address (no prefix) lies in a CIDR. */
export function addressInCidr(address: string, cidr: Cidr): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.parse(address);
    if ((parsed.kind() === "ipv4" ? 4 : 6) !== cidr.family) return false;
    return (parsed as ipaddr.IPv4).match(cidr.address as ipaddr.IPv4, cidr.prefix);
}

/** 4 or 6 for a valid address, undefined otherwise. Only canonical dotted quads count as IPv4. */
export function addressFamily(address: string): 4 | 6 | undefined {
    if (ipaddr.IPv4.isValidFourPartDecimal(address)) return 4;
    if (!address.includes(":") || !ipaddr.IPv6.isValid(address)) return undefined;
    return 6;
}
