// The stack config parser, one module per config section (as ../rules is), re-exported for
// "config/parse": reader.ts holds the shared reading machinery, stack.ts the whole-stack parseConfig.
export { ConfigError } from "./reader";
export { KNOWN_FIELDS } from "./fields";
export { parseUsage } from "./usage";
export {
    CLOUDFLARE_TOKEN_KEY,
    decodeConfigValue,
    defaultEnvironment,
    listShapedConfig,
    parseConfig,
    REGION_KEY,
} from "./stack";
export type { RawStackConfig } from "./stack";

// Rule helpers other code reuses (components, policy, scripts).
export { configWarnings, detectionSeconds, fargateCpuMemoryValid, isValidCidr } from "../rules";
