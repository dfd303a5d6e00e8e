// Caller config -> validated config. Overrides from a portal are judged on the stack's effective
// config by the plan's own config check (engine/configErrors.ts stackConfigProblems: the program's
// parseConfig with the stack's policy config, so its rules and its agreement with the stack's
// mandatory policies) before any engine work: whatever the plan or the program would refuse is a
// 400 naming the key, and the policy when one is the reason, never a 202 that fails later.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ConfigMap } from "@pulumi/pulumi/automation";
import { CLOUDFLARE_TOKEN_KEY, decodeConfigValue } from "../../config/parse";
import { readStackPolicyConfig } from "../../config/load";
import { NAMESPACE } from "../../config/rules";
import { stackConfigProblems } from "../../engine/configErrors";
import { isPlainObject, parseStackConfig, SECRET_PLACEHOLDER } from "../../engine/stackConfig";
import { AutomationError } from "./errors";
import { SECRET_MASK } from "./events";
import { ConfigOverrides, FieldError } from "./types";

/** Stack names the CLI accepts and that are safe in file names and URLs. */
export const STACK_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;
/** `namespace:key`, the key part as the program reads it (no paths: objects are set whole). */
export const CONFIG_KEY_RE = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}:[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;
/** Keys outside the program's namespace a portal may set; provider credentials and the rest stay out. */
export const EXTERNAL_KEYS: readonly string[] = ["aws:region", CLOUDFLARE_TOKEN_KEY];

export function isValidStackName(name: unknown): name is string {
    return typeof name === "string" && STACK_NAME_RE.test(name);
}

/** Field errors for the shape of overrides (key syntax, allowed namespaces, value types). Pure. */
export function checkOverrideShape(overrides: ConfigOverrides): FieldError[] {
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    for (const group of ["config", "secrets"] as const) {
        const map = overrides[group];
        if (map === undefined) {
            continue;
        }
        if (typeof map !== "object" || map === null || Array.isArray(map)) {
            errors.push({ field: group, message: "must be an object of full config key -> value" });
            continue;
        }
        for (const [key, value] of Object.entries(map)) {
            const field = `${group}.${key}`;
            if (!CONFIG_KEY_RE.test(key)) {
                errors.push({
                    field,
                    message: `invalid config key: use "namespace:key" (letters, digits, "-", "_"), e.g. "${NAMESPACE}:capacity"`,
                });
            } else if (!key.startsWith(`${NAMESPACE}:`) && !EXTERNAL_KEYS.includes(key)) {
                errors.push({
                    field,
                    message: `not settable through the portal: only ${NAMESPACE}:* and ${EXTERNAL_KEYS.join(", ")}`,
                });
            } else if (seen.has(key)) {
                errors.push({ field, message: "given both as plain config and as a secret" });
            } else if (value === null || value === undefined) {
                errors.push({
                    field,
                    message: "needs a value (removing keys is not supported through the portal)",
                });
            }
            seen.add(key);
        }
    }
    return errors;
}

export interface ValidatedConfig {
    /** The effective config the config check accepted (secrets included: never render). */
    values: Record<string, unknown>;
    secretKeys: string[];
    /** What to hand stack.setAllConfig: only the overridden keys, merged values, secrets flagged. */
    configMap: ConfigMap;
    /** Merged plain overrides, for the offline plan. */
    planOverrides: Record<string, unknown>;
    /** Clear-text secret values to scrub from anything rendered. */
    secretValues: string[];
}

export function projectName(workDir: string): string {
    try {
        const doc = yaml.load(fs.readFileSync(path.join(workDir, "Pulumi.yaml"), "utf8")) as
            { name?: string } | undefined;
        return doc?.name ?? NAMESPACE;
    } catch {
        return NAMESPACE;
    }
}

function stringsIn(v: unknown, out: string[]): void {
    if (typeof v === "string" || typeof v === "number") {
        const s = String(v);
        if (s.length >= 4) {
            out.push(s);
        }
    } else if (Array.isArray(v)) {
        v.forEach((x) => stringsIn(x, out));
    } else if (isPlainObject(v)) {
        Object.values(v).forEach((x) => stringsIn(x, out));
    }
}

function redact(text: string, secrets: string[]): string {
    let out = text;
    for (const s of secrets) {
        out = out.split(s).join(SECRET_MASK);
    }
    return out;
}

/**
 * Validates overrides against Pulumi.<stack>.yaml in workDir with the plan's config check, under the
 * stack's policy config (policy/config/<stack>.json in workDir, what the program and the plan judge
 * it with). `mode: "plan"` plans a missing cloudflare:apiToken with a placeholder (as the offline
 * plan does); `"engine"` requires it. Throws AutomationError (invalid-request or config-invalid)
 * listing every problem, each naming its key and, when a mandatory policy is the reason, the policy.
 */
export function validateConfig(
    stack: string,
    overrides: ConfigOverrides,
    opts: { workDir: string; mode: "plan" | "engine" },
): ValidatedConfig {
    if (!isValidStackName(stack)) {
        throw new AutomationError({
            kind: "invalid-request",
            message: "invalid stack name",
            fields: [{ field: "stack", message: `must match ${STACK_NAME_RE}` }],
        });
    }
    const shape = checkOverrideShape(overrides);
    if (shape.length > 0) {
        throw new AutomationError({
            kind: "invalid-request",
            message: "invalid config overrides",
            fields: shape,
        });
    }
    const file = path.join(opts.workDir, `Pulumi.${stack}.yaml`);
    let fileConfig: Record<string, string> = {};
    let fileSecretKeys: string[] = [];
    let escImports = false;
    if (fs.existsSync(file)) {
        const text = fs.readFileSync(file, "utf8");
        const parsed = parseStackConfig(text, file);
        fileConfig = parsed.config;
        fileSecretKeys = parsed.secretKeys;
        escImports = Boolean((yaml.load(text) as { environment?: unknown } | null)?.environment);
    }
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fileConfig)) {
        values[k] = decodeConfigValue(v);
    }
    const secretKeys = new Set(fileSecretKeys);
    const configMap: ConfigMap = {};
    const planOverrides: Record<string, unknown> = {};
    const secretValues: string[] = [];
    for (const [group, map] of [
        ["config", overrides.config],
        ["secrets", overrides.secrets],
    ] as const) {
        for (const [key, value] of Object.entries(map ?? {})) {
            const existing = values[key];
            const merged =
                isPlainObject(existing) && isPlainObject(value) ? { ...existing, ...value } : value;
            values[key] = merged;
            const secret = group === "secrets";
            if (secret) {
                secretKeys.add(key);
                stringsIn(value, secretValues);
            } else {
                secretKeys.delete(key);
            }
            configMap[key] = {
                value: typeof merged === "string" ? merged : JSON.stringify(merged),
                secret,
            };
            // The offline plan never needs the real token: it plans with a placeholder secret.
            if (!(secret && key === CLOUDFLARE_TOKEN_KEY)) {
                planOverrides[key] = merged;
            }
        }
    }
    if (opts.mode === "plan" && values[CLOUDFLARE_TOKEN_KEY] === undefined) {
        values[CLOUDFLARE_TOKEN_KEY] = SECRET_PLACEHOLDER;
        secretKeys.add(CLOUDFLARE_TOKEN_KEY);
    }
    const keys = [...secretKeys];
    const policy = readStackPolicyConfig(opts.workDir, stack);
    const problems = stackConfigProblems({
        project: projectName(opts.workDir),
        stack,
        values,
        secretKeys: keys,
        ...(policy ? { policy } : {}),
    });
    const overridden = Object.keys(configMap);
    // Values imported from Pulumi ESC environments are invisible here: judge only what the caller set.
    const issues = escImports
        ? problems.filter((i) =>
              overridden.some(
                  (k) => i.key === k || i.key.startsWith(`${k}.`) || i.key.startsWith(`${k}[`),
              ),
          )
        : problems;
    if (issues.length > 0) {
        const isSecret = (key: string) =>
            keys.some((k) => key === k || key.startsWith(`${k}.`) || key.startsWith(`${k}[`));
        throw new AutomationError({
            kind: "config-invalid",
            message: `invalid stack configuration for ${stack} (${issues.length} problem${issues.length === 1 ? "" : "s"})`,
            fields: issues.map((i) => ({
                field: i.key,
                message: redact(i.message, secretValues),
                ...(i.value === undefined
                    ? {}
                    : { value: isSecret(i.key) ? SECRET_MASK : i.value }),
                ...(i.policy ? { policy: i.policy } : {}),
            })),
        });
    }
    return {
        values,
        secretKeys: keys,
        configMap,
        planOverrides,
        secretValues: [...new Set(secretValues)].sort((a, b) => b.length - a.length),
    };
}
