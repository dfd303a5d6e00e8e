// Offline plan CLI: `npm run plan -- [--stack dev] [--config FILE] [--program FILE]
// [--policy-config FILE] [--format text|json|sarif|junit|markdown] [--fail-on LEVEL] [--json] [--graph dot|mermaid]
// [--out FILE] [--verbose]` (docs/plan.md, docs/ci.md).
// The caches go in first so the tool's own modules, the SDKs' lazily loaded modules and the
// program load from them (PLAN_COMPILE_CACHE=0 turns both off).
import * as path from "path";
import { enableCodeCache, enableCompileCache } from "./plan/compileCache";

enableCompileCache(path.resolve(__dirname, ".."));
enableCodeCache(path.resolve(__dirname, ".."));
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("./plan/cli");
