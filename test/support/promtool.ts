/**
 * Running the real promtool (Debian package `prometheus`, installed by .ci/run). Where it is
 * missing, callers skip with the reason instead of passing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

/** promtool's path, or undefined. */
export function promtoolPath(): string | undefined {
    const r = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Write files into a fresh directory and run promtool there. */
export function promtool(args: string[], files: Record<string, unknown>): { status: number | null; output: string } {
    const dir = mkdtempSync(join(tmpdir(), "promtool-"));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === "string" ? content : stringify(content, { lineWidth: 0 }));
    const r = spawnSync("promtool", args, { cwd: dir, encoding: "utf8" });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
