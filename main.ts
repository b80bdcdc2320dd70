/**
 * The Pulumi program (Pulumi.yaml `main: main.ts`): read this stack's config, build Calico, export
 * what other stacks need. The package entry (index.ts) is the library and registers nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { configSecretKeys, runProgram } from "./components/program";

// An async program (its outputs are the object it resolves to): it reads this stack's last outputs
// before it registers Calico, to refuse a downgrade.
export = (async () => {
    const config = pulumi.runtime.allConfig();
    return runProgram(config, configSecretKeys(config));
})();
