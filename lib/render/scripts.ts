/**
 * The shell scripts that Commands run, kept as files of their own in lib/render/scripts/ (so that
 * shellcheck, editors and reviewers see them) and read when the plan is rendered. A script's text
 * is the command text, byte for byte, so the same files give the same commands on every run;
 * parameters reach a script through the Command's environment, never by editing its text.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The folder of the scripts, beside this module (also in the built package). */
export const SCRIPTS_DIR = join(__dirname, "scripts");

const cache = new Map<string, string>();

/** The text of lib/render/scripts/`name`. */
export function readScript(name: string): string {
    let text = cache.get(name);
    if (text === undefined) {
        text = readFileSync(join(SCRIPTS_DIR, name), "utf8");
        cache.set(name, text);
    }
    return text;
}
