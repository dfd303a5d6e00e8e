// `npm run urn-diff -- BEFORE.json AFTER.json`: which URNs a change keeps, aliases, adds and removes.
import { urnDiffCli } from "../engine";

try {
    process.exitCode = urnDiffCli(process.argv.slice(2));
} catch (e) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
}
