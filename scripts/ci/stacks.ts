// `npm run -s ci:stacks`: the stacks of this repository (one per Pulumi.<stack>.yaml) as a JSON
// array, for a CI matrix (`fromJSON(...)` in the GitHub workflows).
import * as fs from "fs";
import * as path from "path";

export function repoStacks(root: string): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

if (require.main === module) {
    process.stdout.write(`${JSON.stringify(repoStacks(path.resolve(__dirname, "..", "..")))}\n`);
}
