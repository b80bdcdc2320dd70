/**
 * Tricky YAML scalars for the stack-file reader: the real Pulumi CLI's readings (`pulumi config
 * --json`, v3.248.0, gopkg.in/yaml.v3) against the YAML 1.2 core schema's. Shared by the unit test
 * (test/config/yaml-agreement.test.ts) and the e2e differential against the real CLI.
 */

/** Plain scalars the two readers take differently, with what the CLI makes of each. */
export const DISAGREEING: readonly (readonly [string, string])[] = [
    ["026", "22 (octal)"],
    ["-026", "-22"],
    ["0177777", "65535"],
    ["010", "8"],
    ["1_000", "1000"],
    ["1__0", "10"],
    ["0.5_0", "0.5"],
    ["1_0.5", "10.5"],
    ["0b101", "5"],
    ["+0b1", "1"],
    ["-0b11", "-3"],
    ["0x_1A", "26"],
    ["0x1_0", "16"],
    ["-0o17", "-15"],
    ["+0o17", "15"],
    ["2001-12-14", "a timestamp"],
    ["2001-12-14t21:59:43.10-05:00", "a timestamp"],
    ["2024-1-2 3:04:05", "a timestamp"],
];

/** Plain scalars both read alike. */
export const AGREEING: readonly string[] = ["26", "0", "00", "08", "09.5", "0x1A", "0o17", "1e3", ".5", "+12", "-7", "0.", "yes", "on", "no", "12:30", "~", "null", "true", "TRUE", "1.5e-3", "_1", "x_1", "v1.2.3", "10.0.0.0/8", "1-2", "2001-12", "20011214"];


/** Plain scalars the CLI cannot carry to a program at all (it refuses the file). */
export const CLI_REFUSES: readonly string[] = [".inf", "-.inf", "+.Inf", ".nan", ".NaN", ".NAN"];
