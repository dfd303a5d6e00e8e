// Offline plan CLI: `npm run plan -- [--stack dev] [--config FILE] [--program FILE]
// [--policy-config FILE] [--json] [--graph dot|mermaid] [--out FILE] [--verbose]` (docs/plan.md).
// The compile cache goes in first so the tool's own modules and the program load from it.
import * as path from "path";
import { enableCompileCache } from "./plan/compileCache";

enableCompileCache(path.resolve(__dirname, ".."));
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("./plan/cli");
