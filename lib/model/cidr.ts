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

/** Canonical dotted-quad IPv4: four decimal parts, no leading zeros (which some parsers read as octal). */
const DOTTED_QUAD = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;

/**
 * Why an address is written ambiguously, or undefined when it is not: IPv4 in octal, hex or with
 * leading zeros, IPv6 with a zone id, or IPv4-mapped IPv6 (which would dodge the overlap checks).
 */
export function ambiguousAddress(address: string): string | undefined {
    if (address.includes("%")) return "has an IPv6 zone id (%…); addresses in Calico objects are global";
    if (!address.includes(":")) {
        if (!DOTTED_QUAD.test(address)) return "is not a plain dotted-quad IPv4 address (leading zeros, octal or hex forms are read differently by different parsers); write it as four decimal numbers";
        return undefined;
    }
    if (/^::ffff:/i.test(address) || /\d+\.\d+\.\d+\.\d+$/.test(address)) return "is an IPv4-mapped or IPv4-embedded IPv6 address; write the IPv4 address itself";
    return undefined;
}

/**
 * Parse "a.b.c.d/n" or "x::/n"; returns a reason string when invalid. Host bits are refused unless
 * `hostBits` is set: Go's `net.ParseCIDR`, which some upstream fields use, accepts them and masks.
 */
export function parseCidr(text: string, opts: { hostBits?: boolean } = {}): Cidr | string {
    if (typeof text !== "string" || !text.includes("/")) return "expected an address with a prefix length, e.g. 10.244.0.0/16";
    const [addr, len] = text.split("/", 2);
    const ambiguous = ambiguousAddress(addr);
    if (ambiguous) return `the address ${ambiguous}`;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(len)) return "the prefix length must be a plain decimal number";
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
        if (opts.hostBits) return { text, family, address: network, prefix };
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
    if (typeof address !== "string" || ambiguousAddress(address)) return undefined;
    if (ipaddr.IPv4.isValidFourPartDecimal(address)) return 4;
    if (!address.includes(":") || !ipaddr.IPv6.isValid(address)) return undefined;
    return 6;
}

/**
 * Why an address cannot be a BGP peer, or undefined: unspecified, broadcast, multicast, loopback or
 * link-local addresses never belong to a router a node peers with.
 */
export function unusablePeerAddress(address: string): string | undefined {
    if (!ipaddr.isValid(address)) return undefined;
    const range = ipaddr.parse(address).range();
    const bad: Record<string, string> = { unspecified: "the unspecified address", broadcast: "the broadcast address", multicast: "a multicast address", loopback: "a loopback address", linkLocal: "a link-local address" };
    return bad[range] ? `is ${bad[range]}; a BGP peer is a router's unicast address` : undefined;
}

/** The address of a peerIP that may carry a port: `[v6]:port`, `v4:port`, or a bare address. */
export function peerAddress(peerIP: string): string {
    const parsed = parsePeerIP(peerIP);
    return typeof parsed === "string" ? peerIP : parsed.address;
}

/**
 * A CIDR, or a bare address read as a single-address CIDR (/32 or /128): libcalico-go's `net`
 * validator (`cnet.ParseCIDROrIP`, strictly masked) that BGPConfiguration's service IP blocks use.
 */
export function parseCidrOrAddress(text: string): Cidr | string {
    if (typeof text === "string" && !text.includes("/")) {
        const family = addressFamily(text);
        const ambiguous = ambiguousAddress(text);
        if (!family) return ambiguous ? `the address ${ambiguous}` : "expected a CIDR such as 10.96.0.0/12 or a single address such as 10.96.0.10";
        return parseCidr(`${text}/${family === 4 ? 32 : 128}`);
    }
    return parseCidr(text);
}

/** A peer address as BGPPeer `peerIP` takes it: the address and an optional port. */
export interface PeerIP {
    /** The address without brackets or port. */
    readonly address: string;
    /** The TCP port, when one was given. */
    readonly port?: number;
}

/**
 * Parse `peerIP` as libcalico-go's `IP:port` validator does (`processIPPort` in
 * lib/validator/v3/validator.go, v3.27.3 and v3.31.3): `<IP>`, `<IPv4>:<port>` or
 * `[<IPv6>]:<port>`, port 1–65535. Returns a reason string when invalid.
 */
export function parsePeerIP(text: string): PeerIP | string {
    if (typeof text !== "string") return "must be an IP address, <IPv4>:<port> or [<IPv6>]:<port>";
    const m = text.match(/^\[([^\]]*)\]:(\d+)$/) ?? text.match(/^([0-9.]+):(\d+)$/);
    const address = m ? m[1] : text;
    if (m) {
        const port = Number(m[2]);
        if (!/^\d{1,5}$/.test(m[2]) || port < 1 || port > 65535) return "the port must be 1–65535";
    }
    const family = addressFamily(address);
    if (!family) {
        const why = ambiguousAddress(address);
        return why ? `the address ${why}` : "must be an IP address, <IPv4>:<port> or [<IPv6>]:<port>, e.g. 192.168.1.1, 192.168.1.1:1179 or [fd00::1]:1179";
    }
    return m ? { address, port: Number(m[2]) } : { address };
}

/** The link-local ranges no IP pool may overlap (libcalico-go validateIPPool, both pinned tags). */
export const LINK_LOCAL: Readonly<Record<4 | 6, Cidr>> = {
    4: parseCidr("169.254.0.0/16") as Cidr,
    6: parseCidr("fe80::/10") as Cidr,
};
