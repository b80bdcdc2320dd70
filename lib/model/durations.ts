/**
 * The two duration grammars config values reach: Go's `time.ParseDuration` (Kubernetes
 * `metav1.Duration` fields such as BGPPeer `maxRestartTime`) and Prometheus's (ServiceMonitor
 * `interval`, checked by the prometheus-operator CRD pattern).
 */

const GO_UNITS_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const GO_PART = /([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/y;
/** time.ParseDuration's limit: an int64 count of nanoseconds (about 292 years). */
const GO_MAX_NS = 9223372036854775807;

/**
 * Nanoseconds of a Go duration (`1.5m`, `2h45m`, `300ms`, `0`), or a reason string. Follows
 * time.ParseDuration in Go's src/time/format.go: an optional sign, then one or more
 * number-and-unit parts, each number with at least one digit, optionally fractional.
 */
export function parseGoDuration(text: string): number | string {
    const why = "must be a Go duration such as 90s, 1.5m or 2h45m (units ns, us, ms, s, m, h)";
    if (typeof text !== "string" || text === "") return why;
    let s = text;
    let sign = 1;
    if (s[0] === "-" || s[0] === "+") {
        sign = s[0] === "-" ? -1 : 1;
        s = s.slice(1);
    }
    if (s === "0") return 0;
    if (s === "") return why;
    let total = 0;
    GO_PART.lastIndex = 0;
    while (GO_PART.lastIndex < s.length) {
        const at = GO_PART.lastIndex;
        const m = GO_PART.exec(s);
        if (!m || m.index !== at || !/[0-9]/.test(m[1])) return why;
        total += Number(m[1]) * GO_UNITS_NS[m[2]];
    }
    if (total > GO_MAX_NS) return "is longer than a Go duration can hold (about 292 years)";
    return sign * total;
}

/**
 * Prometheus durations as the prometheus-operator CRDs accept them (v0.89.0
 * monitoring.coreos.com_servicemonitors.yaml, `interval` pattern): units in descending order
 * y w d h m s ms, each at most once, or `0`.
 */
export const PROMETHEUS_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
