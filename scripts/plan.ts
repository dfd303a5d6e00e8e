// Offline plan CLI: `npm run plan -- [--stack dev] [--config FILE] [--program FILE]
// [--policy-config FILE] [--format text|json|sarif|junit|markdown] [--fail-on LEVEL] [--json] [--graph dot|mermaid]
// [--out FILE] [--verbose]` (docs/plan.md, docs/ci.md).
// The caches go in first so the tool's own modules, the SDKs' lazily loaded modules and the
// program load from them (PLAN_COMPILE_CACHE=0 turns both off).
import * as path from "path";
import { enableCodeCache, enableCompileCache } from "../engine/compileCache";
import { exitWith } from "./exitWith";

enableCompileCache(path.resolve(__dirname, ".."));
enableCodeCache(path.resolve(__dirname, ".."));

// Loaded after the caches are on, so the engine's modules come from them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { planCli } = require("../engine/cli") as typeof import("../engine/cli");
exitWith(planCli(process.argv.slice(2)));
