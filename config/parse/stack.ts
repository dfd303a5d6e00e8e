// parseConfig: raw stack config -> typed, defaulted PlatformConfig, or a ConfigError listing every
// problem at once. Each section is read by its own module here (types, unknown fields, defaults);
// the rules live in ../rules, one module per section, and run once everything is read.
import { ConfigIssue, PlatformConfig } from "../types";
import { DEFAULTS } from "../defaults";
import {
    checkApp,
    checkCache,
    checkCapacity,
    checkCdn,
    checkCompute,
    checkCrossSection,
    checkDatabase,
    checkDeployment,
    checkHealthCheck,
    checkLoadBalancer,
    checkMonitoring,
    checkNetwork,
    checkScaling,
    checkTags,
    checkWaf,
    checkWorkers,
    configKey,
    didYouMean,
    issue,
    looksSecret,
    NAMESPACE,
    regionProblem,
} from "../rules";
import { checkNameLengths } from "../names";
import { checkPolicyAgreement, StackPolicyConfig } from "../policyAgreement";
import { KNOWN_FIELDS } from "./fields";
import { ConfigError, Reader } from "./reader";
import { readNetwork } from "./network";
import { readApp, readCompute } from "./compute";
import { readCapacity, readScaling } from "./scaling";
import { readHealthCheck } from "./healthCheck";
import { readLoadBalancer, readWaf } from "./loadBalancer";
import { readDatabase } from "./database";
import { readCache } from "./cache";
import { readWorkers } from "./workers";
import { readMonitoring } from "./monitoring";
import { readDeployment } from "./deployment";
import { readCdn } from "./cdn";
import { readUsage } from "./usage";

/** Raw stack config: full keys ("web-platform:app", "aws:region") to decoded values. */
export interface RawStackConfig {
    project: string;
    stack: string;
    values: Record<string, unknown>;
    /** Keys whose values are Pulumi secrets (`pulumi config set --secret`). */
    secretKeys: string[];
    /** The stack's policy pack config (policy/config/<stack>.json): what its mandatory policies refuse is refused here. */
    policyConfig?: StackPolicyConfig;
}

/** The stack name made fit for tags and resource names ("My_Stack" -> "my-stack"). */
export function defaultEnvironment(stack: string): string {
    return (
        stack
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, "-")
            .replace(/^-+|-+$/g, "")
            .slice(0, 32) || "dev"
    );
}

/**
 * A stack file whose `config:` is a YAML list ("- aws:region: us-east-1") arrives as keys "0",
 * "1", ... Every real key would then look missing; say what actually happened instead.
 */
export function listShapedConfig(values: Record<string, unknown>): ConfigIssue | undefined {
    const keys = Object.keys(values);
    // Real keys are always "namespace:key"; a bare index only comes from a list.
    if (!keys.some((k) => /^\d+$/.test(k))) {
        return undefined;
    }
    return {
        key: "config",
        value: "[list]",
        message:
            'is a YAML list, so none of its keys were read: write `config:` as a map, one `namespace:key: value` per line without a leading "- " (e.g. `  aws:region: us-east-1`)',
    };
}

/** Keys outside our namespace that we check. */
export const REGION_KEY = "aws:region";
export const CLOUDFLARE_TOKEN_KEY = "cloudflare:apiToken";

/**
 * The whole stack config, typed and defaulted. Pure: the same input always gives the same output.
 * Throws ConfigError listing every problem found.
 */
export function parseConfig(raw: RawStackConfig): PlatformConfig {
    const listed = listShapedConfig(raw.values);
    if (listed) {
        throw new ConfigError([listed]);
    }
    const r = new Reader();
    const values = raw.values;
    const get = (name: string): unknown => values[configKey(name)];

    // Unknown keys in our namespace: typos, or secrets that belong in Secrets Manager.
    for (const key of Object.keys(values)) {
        if (!key.startsWith(`${NAMESPACE}:`)) {
            continue;
        }
        const name = key.slice(NAMESPACE.length + 1);
        if (!(KNOWN_FIELDS.topLevel as readonly string[]).includes(name)) {
            r.add(
                looksSecret(name)
                    ? {
                          key,
                          value: "[redacted]",
                          message:
                              "looks like a secret: the platform never reads credentials from stack config; store it in AWS Secrets Manager (the database password is generated and stored there for you)",
                      }
                    : {
                          key,
                          value: values[key],
                          message: `unknown key${didYouMean(name, KNOWN_FIELDS.topLevel)}; known keys: ${KNOWN_FIELDS.topLevel.join(", ")}`,
                      },
            );
        }
    }

    const region = values[REGION_KEY];
    if (region === undefined || region === "") {
        r.add({
            key: REGION_KEY,
            value: undefined,
            message: "is required: the AWS region, e.g. `pulumi config set aws:region us-east-1`",
        });
    } else if (typeof region !== "string") {
        r.add({
            key: REGION_KEY,
            value: region,
            message: "must be an AWS region code like us-east-1 or eu-west-2",
        });
    } else if (regionProblem(region) !== undefined) {
        r.add({ key: REGION_KEY, value: region, message: regionProblem(region)! });
    }
    const regionName = typeof region === "string" ? region : "";

    const token = values[CLOUDFLARE_TOKEN_KEY];
    if (token !== undefined && !raw.secretKeys.includes(CLOUDFLARE_TOKEN_KEY)) {
        r.add({
            key: CLOUDFLARE_TOKEN_KEY,
            value: "[redacted]",
            message:
                "is stored in plain text: set it as a secret with `pulumi config set --secret cloudflare:apiToken <token>` (and rotate the token, it was exposed)",
        });
    }

    const environment = r.str("environment", get("environment"), defaultEnvironment(raw.stack));
    if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(environment)) {
        r.add(
            issue(
                "environment",
                environment,
                `must be 1-32 chars of a-z, 0-9 and "-", e.g. "dev", "staging" or "prod"`,
            ),
        );
    }
    const production = r.bool("production", get("production"), environment === "prod");

    const userTags = r.strMap("tags", get("tags"));
    const tags = {
        project: raw.project,
        stack: raw.stack,
        environment,
        "managed-by": "pulumi",
        ...userTags,
    };

    const app = readApp(r, get("app"));
    const healthCheck = readHealthCheck(r, get("healthCheck"));
    const cfg: PlatformConfig = {
        project: raw.project,
        stack: raw.stack,
        region: regionName,
        environment,
        production,
        tags,
        network: readNetwork(r, get("network"), production),
        app,
        compute: readCompute(r, get("compute"), production),
        capacity: readCapacity(r, "capacity", get("capacity"), DEFAULTS.capacity(production)),
        scaling: readScaling(r, get("scaling")),
        healthCheck,
        loadBalancer: readLoadBalancer(r, get("loadBalancer"), production),
        waf: readWaf(r, get("waf")),
        database: readDatabase(r, get("database"), production),
        cache: readCache(r, get("cache"), production),
        workers: readWorkers(r, get("workers"), app.image, production),
        monitoring: readMonitoring(r, get("monitoring")),
        deployment: readDeployment(r, get("deployment"), healthCheck.path),
        cdn: readCdn(r, get("cdn")),
        usage: readUsage(r, get("usage")),
    };

    if (cfg.cdn.enabled && token === undefined && !r.isFollowOn(configKey("cdn.enabled"))) {
        r.add({
            key: CLOUDFLARE_TOKEN_KEY,
            value: undefined,
            message:
                "is required when cdn.enabled: `pulumi config set --secret cloudflare:apiToken <token>` (a token with Workers Scripts, Workers Routes, DNS and Zone Settings edit on the zone)",
        });
    }

    // Workers without their own image inherit app.image: once that is reported, theirs is a follow-on.
    if (r.isFollowOn(configKey("app.image"))) {
        cfg.workers.forEach((w, i) => {
            if (w.image === cfg.app.image) {
                r.suppress(configKey(`workers[${i}].image`));
            }
        });
    }
    const fargate = cfg.compute.mode !== "ec2";
    r.add(
        ...checkTags(cfg.tags),
        ...checkNetwork(cfg.network, regionName),
        ...checkApp(cfg.app, fargate),
        ...checkCompute(cfg.compute),
        ...checkCapacity("capacity", cfg.capacity),
        ...checkScaling(cfg.scaling, cfg.compute.mode),
        ...checkHealthCheck(cfg.healthCheck),
        ...checkLoadBalancer(cfg.loadBalancer, regionName, cfg.cdn.enabled),
        ...checkWaf(cfg.waf),
        ...checkDatabase(cfg.database, production),
        ...checkCache(cfg.cache),
        ...checkWorkers(cfg.workers, production),
        ...checkMonitoring(cfg.monitoring),
        ...checkDeployment(cfg),
        ...checkCdn(cfg.cdn),
        ...checkCrossSection(cfg),
        ...checkNameLengths(cfg),
    );
    // Last, so a key already reported by a rule above keeps that (more basic) message.
    r.add(...checkPolicyAgreement(cfg, raw.policyConfig));

    if (r.issues.length > 0) {
        throw new ConfigError(r.issues);
    }
    return cfg;
}

/** Pulumi hands structured values over as JSON text; plain strings stay strings. */
export function decodeConfigValue(text: string): unknown {
    const trimmed = text.trim();
    if (/^[[{]/.test(trimmed) || /^(true|false|-?\d+(\.\d+)?)$/.test(trimmed)) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return text;
        }
    }
    return text;
}
