import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync, SpawnSyncReturns } from "child_process";
import { RunError } from "@pulumi/pulumi";
import {
    ConfigError,
    decodeConfigValue,
    defaultEnvironment,
    KNOWN_FIELDS,
    parseConfig,
    RawStackConfig,
} from "../config/parse";
import {
    closestMatch,
    configWarnings,
    detectionSeconds,
    fargateCpuMemoryValid,
    isAcmCertificateArn,
    isImageReference,
    isValidCidr,
    isValidMatcher,
    isValidPiRetention,
    looksSecret,
    parseWindow,
    windowsOverlap,
} from "../config/rules";
import { DEFAULT_STATIC_EXTENSIONS } from "../config/defaults";
import { ConfigIssue } from "../config/types";
import { readStackConfig, SECRET_PLACEHOLDER } from "../engine/stackConfig";
import { runProgram } from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";
import { ROOT, runStack } from "./helpers/stack";
import { checkNameLengths, NAME_LIMITS, plannedNames } from "../config/names";
import { policySettings } from "../config/policyAgreement";
import { planExitCode, planStack } from "../engine/run";
import { regionAzs } from "../engine/cloud/context";
import { REGION_ZONES, REGION_ZONES_GENERATED, regionZoneIds } from "../config/regionZones";
import { KNOWN_REGIONS } from "../config/rules";
import { Network } from "../components/network";
import { checkBeforeRegistering } from "../platform";
import { parseDescribeAvailabilityZones, renderRegionZonesModule } from "../scripts/regions/zones";
import { refreshRegionZones } from "../scripts/regions/refresh";
import { tempDir } from "./helpers/tempDir";

const NS = "web-platform";
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

/** A stack file as the program would see it (plus the Cloudflare token, set as a secret). */
function stackRaw(stack: "dev" | "prod"): RawStackConfig {
    const file = readStackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`));
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(file.config)) {
        values[k] = decodeConfigValue(v);
    }
    values["cloudflare:apiToken"] = SECRET_PLACEHOLDER;
    return {
        project: "web-platform",
        stack,
        values,
        secretKeys: [...file.secretKeys, "cloudflare:apiToken"],
    };
}

/** Set `path` ("healthCheck.interval", "workers[0].cpu", "aws:region") in a copy of raw; undefined deletes. */
function withValue(raw: RawStackConfig, dotted: string, value: unknown): RawStackConfig {
    const copy: RawStackConfig = JSON.parse(JSON.stringify(raw));
    const full = dotted.includes(":") ? dotted : `${NS}:${dotted}`;
    const [top, ...rest] = full.split(/[.[\]]+/).filter((s) => s !== "");
    if (rest.length === 0) {
        if (value === undefined) {
            delete copy.values[top];
        } else {
            copy.values[top] = value;
        }
        return copy;
    }
    let node = (copy.values[top] ??= /^\d+$/.test(rest[0]) ? [] : {}) as Record<string, unknown>;
    rest.slice(0, -1).forEach((seg, i) => {
        node = (node[seg] ??= /^\d+$/.test(rest[i + 1]) ? [] : {}) as Record<string, unknown>;
    });
    const last = rest[rest.length - 1];
    if (value === undefined) {
        delete node[last];
    } else {
        node[last] = value;
    }
    return copy;
}

function withValues(raw: RawStackConfig, settings: Array<[string, unknown]>): RawStackConfig {
    return settings.reduce((acc, [k, v]) => withValue(acc, k, v), raw);
}

function issuesOf(raw: RawStackConfig): ConfigIssue[] {
    try {
        parseConfig(raw);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
        return e.issues;
    }
    return [];
}

function expectIssue(raw: RawStackConfig, key: string, messagePart?: RegExp): ConfigIssue {
    const issues = issuesOf(raw);
    const found = issues.find((i) => i.key === key);
    assert.ok(
        found,
        `expected an issue for ${key}; got ${JSON.stringify(issues.map((i) => i.key))}`,
    );
    if (messagePart) {
        assert.match(found.message, messagePart);
    }
    return found;
}

describe("config: stack files", () => {
    it("parses Pulumi.dev.yaml into a non-production config with dev defaults", () => {
        const cfg = parseConfig(stackRaw("dev"));
        assert.equal(cfg.region, "us-east-1");
        assert.equal(cfg.environment, "dev");
        assert.equal(cfg.production, false);
        assert.deepEqual(cfg.network, {
            kind: "new",
            cidrBlock: "10.20.0.0/16",
            azCount: 2,
            natGateways: "single",
        });
        assert.deepEqual(cfg.capacity, { min: 2, desired: 2, max: 4 });
        assert.equal(cfg.loadBalancer.deletionProtection, false);
        assert.equal(cfg.database.deletionProtection, false);
        assert.equal(cfg.database.backupRetentionDays, 7);
        assert.equal(cfg.cache.snapshotRetentionDays, 1);
        assert.equal(cfg.compute.logRetentionDays, 30);
        assert.equal(cfg.workers.length, 1);
        assert.equal(cfg.workers[0].image, cfg.app.image, "worker image defaults to the app image");
    });

    it("parses Pulumi.prod.yaml into a production config with protection on", () => {
        const cfg = parseConfig(stackRaw("prod"));
        assert.equal(cfg.production, true);
        assert.equal(cfg.loadBalancer.deletionProtection, true);
        assert.equal(cfg.database.deletionProtection, true);
        assert.equal(cfg.database.multiAz, true);
        assert.equal(cfg.database.readReplicas, 2);
        assert.equal(cfg.database.backupRetentionDays, 14);
        assert.equal(cfg.cache.snapshotRetentionDays, 7);
        assert.equal(cfg.compute.logRetentionDays, 90);
        assert.equal(cfg.workers[0].queueMetric?.statistic, "Average");
        assert.ok(cfg.workers.every((w) => w.capacity.min >= 2));
    });

    it("merges default tags with the stack's tags", () => {
        const cfg = parseConfig(stackRaw("prod"));
        assert.deepEqual(cfg.tags, {
            project: "web-platform",
            stack: "prod",
            environment: "prod",
            "managed-by": "pulumi",
            team: "platform",
            "cost-center": "web-prod",
        });
    });
});

describe("config: defaults", () => {
    const minimal: RawStackConfig = {
        project: "web-platform",
        stack: "dev",
        values: {
            "aws:region": "eu-west-1",
            [`${NS}:app`]: { image: "public.ecr.aws/nginx/nginx:1.27" },
            [`${NS}:cdn`]: {
                accountId: "0123456789abcdef0123456789abcdef",
                zoneId: "fedcba9876543210fedcba9876543210",
                domain: "example.com",
            },
            "cloudflare:apiToken": "t",
        },
        secretKeys: ["cloudflare:apiToken"],
    };

    it("fills every section from defaults when only the required keys are set", () => {
        const cfg = parseConfig(minimal);
        assert.equal(cfg.environment, "dev", "environment defaults to the stack name");
        assert.equal(cfg.production, false);
        assert.deepEqual(cfg.app, {
            image: "public.ecr.aws/nginx/nginx:1.27",
            port: 8080,
            cpu: 256,
            memory: 512,
            environment: {},
            readonlyRootFilesystem: true,
            writablePaths: ["/tmp"],
        });
        assert.equal(cfg.cdn.includeWww, true);
        assert.equal(cfg.compute.mode, "fargate");
        assert.equal(cfg.compute.instanceType, "t3.small");
        assert.equal(
            cfg.compute.amiSsmParameter,
            "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
        );
        assert.equal(cfg.compute.rootVolumeGiB, 30);
        assert.equal(cfg.compute.healthCheckGracePeriod, 60);
        assert.equal(cfg.compute.instanceRefreshMinHealthyPercentage, 100);
        assert.deepEqual(cfg.deployment, {
            strategy: "rolling",
            bakeMinutes: 5,
            canaryPercent: 10,
            canaryBakeMinutes: 5,
            linearStepPercent: 25,
            linearStepBakeMinutes: 3,
            rollbackAlarms: ["alb-5xx-rate", "target-5xx-rate", "p95-latency"],
            smokeTest: {
                paths: ["/health"],
                expectedStatus: 200,
                timeoutSeconds: 5,
                maxAttempts: 10,
                retryDelaySeconds: 30,
            },
        });
        assert.deepEqual(cfg.capacity, { min: 2, desired: 2, max: 4 });
        assert.equal(cfg.scaling.scaleOutCooldown, 60);
        assert.equal(cfg.scaling.scaleInCooldown, 300);
        assert.equal(cfg.scaling.cpuTarget, 60);
        assert.deepEqual(cfg.healthCheck, {
            path: "/health",
            interval: 10,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
            matcher: "200",
        });
        assert.equal(
            detectionSeconds(cfg.healthCheck),
            30,
            "default health check takes a dead target out within 30 s",
        );
        assert.equal(cfg.loadBalancer.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert.equal(cfg.loadBalancer.deregistrationDelay, 60);
        assert.equal(cfg.loadBalancer.idleTimeout, 60);
        assert.deepEqual(cfg.loadBalancer.stickiness, { enabled: false, duration: 86400 });
        assert.deepEqual(cfg.loadBalancer.accessLogs, { enabled: true, expirationDays: 30 });
        assert.deepEqual(cfg.loadBalancer.ingressCidrs, ["0.0.0.0/0"]);
        assert.deepEqual(cfg.loadBalancer.ingressIpv6Cidrs, ["::/0"]);
        assert.deepEqual(cfg.waf, {
            enabled: true,
            rateLimit: 100,
            rateWindowSeconds: 60,
            managedRules: true,
        });
        assert.equal(cfg.database.engineVersion, "17");
        assert.equal(cfg.database.instanceClass, "db.t4g.micro");
        assert.equal(cfg.database.replicaInstanceClass, "db.t4g.micro");
        assert.equal(cfg.database.allocatedStorageGiB, 20);
        assert.equal(cfg.database.maxAllocatedStorageGiB, 100);
        assert.equal(cfg.database.backupWindow, "03:00-04:00");
        assert.equal(cfg.database.maintenanceWindow, "sun:04:30-sun:05:30");
        assert.equal(cfg.database.monitoringInterval, 60);
        assert.equal(cfg.database.performanceInsightsRetentionDays, 7);
        assert.equal(cfg.database.databaseName, "app");
        assert.equal(cfg.database.masterUsername, "app_admin");
        assert.equal(cfg.database.proxy, false);
        assert.equal(cfg.cache.engine, "redis");
        assert.equal(cfg.cache.engineVersion, "7.1");
        assert.equal(cfg.cache.numNodes, 2);
        assert.equal(cfg.cache.multiAz, true);
        assert.equal(cfg.cache.maxmemoryPolicy, "allkeys-lru");
        assert.deepEqual(cfg.workers, []);
        assert.equal(cfg.monitoring.period, 60);
        assert.equal(cfg.monitoring.evaluationPeriods, 3);
        assert.deepEqual(cfg.cdn.staticExtensions, DEFAULT_STATIC_EXTENSIONS);
        assert.equal(cfg.cdn.apiPrefix, "/api/");
        assert.equal(cfg.cdn.htmlEdgeTtl, 60);
        assert.equal(cfg.cdn.hstsMaxAge, 31536000);
        assert.equal(cfg.cdn.compatibilityDate, "2025-09-01");
    });

    it("turns production defaults on for environment prod", () => {
        const cfg = parseConfig(withValues(minimal, [["environment", "prod"]]));
        assert.equal(cfg.production, true);
        assert.equal(cfg.loadBalancer.deletionProtection, true);
        assert.equal(cfg.database.deletionProtection, true);
        assert.equal(cfg.database.multiAz, true);
        assert.equal(cfg.database.readReplicas, 1);
        assert.equal(cfg.database.backupRetentionDays, 14);
        assert.equal(cfg.network.kind === "new" && cfg.network.natGateways, "one-per-az");
        assert.equal(cfg.compute.logRetentionDays, 90);
    });

    it("lets production be set explicitly for another environment name", () => {
        const cfg = parseConfig(
            withValues(minimal, [
                ["environment", "staging"],
                ["production", true],
            ]),
        );
        assert.equal(cfg.production, true);
        assert.equal(cfg.database.deletionProtection, true);
    });

    it("gives workers the app image, Fargate size and cooldown defaults", () => {
        const cfg = parseConfig(withValue(minimal, "workers", [{ name: "jobs" }]));
        const w = cfg.workers[0];
        assert.equal(w.image, "public.ecr.aws/nginx/nginx:1.27");
        assert.equal(w.cpu, 256);
        assert.equal(w.memory, 512);
        assert.equal(w.cpuTarget, 70);
        assert.equal(w.scaleOutCooldown, 60);
        assert.equal(w.scaleInCooldown, 300);
        assert.deepEqual(w.command, []);
    });

    it("accepts numbers and booleans given as strings (pulumi config set --path)", () => {
        const cfg = parseConfig(
            withValues(minimal, [
                ["healthCheck.interval", "15"],
                ["waf.enabled", "false"],
                ["healthCheck.matcher", 200],
            ]),
        );
        assert.equal(cfg.healthCheck.interval, 15);
        assert.equal(cfg.waf.enabled, false);
        assert.equal(cfg.healthCheck.matcher, "200");
    });

    it("disables a scaling target set to null", () => {
        const cfg = parseConfig(
            withValues(minimal, [
                ["scaling.cpuTarget", null],
                ["scaling.requestsPerTarget", 500],
            ]),
        );
        assert.equal(cfg.scaling.cpuTarget, undefined);
        assert.equal(cfg.scaling.requestsPerTarget, 500);
    });

    it("accepts a disabled CDN with an ACM certificate in the stack's region", () => {
        const cfg = parseConfig(
            withValues(stackRaw("dev"), [
                ["cdn", { enabled: false }],
                ["loadBalancer.certificateArn", CERT],
            ]),
        );
        assert.equal(cfg.cdn.enabled, false);
        assert.equal(cfg.loadBalancer.certificateArn, CERT);
    });

    it("accepts an existing VPC with two public and two private subnets", () => {
        const cfg = parseConfig(
            withValue(stackRaw("dev"), "network", {
                vpcId: "vpc-0123456789abcdef0",
                publicSubnetIds: ["subnet-0a0a0a0a0a0a0a0a0", "subnet-0b0b0b0b0b0b0b0b0"],
                privateSubnetIds: ["subnet-0c0c0c0c0c0c0c0c0", "subnet-0d0d0d0d0d0d0d0d0"],
                cidrBlock: "10.50.0.0/16",
            }),
        );
        assert.equal(cfg.network.kind, "existing");
    });

    it("accepts a spot mix in EC2 mode, defaulting the pool to the instance type", () => {
        const cfg = parseConfig(
            withValues(stackRaw("dev"), [
                ["compute", { mode: "ec2", instanceType: "t3.medium", spot: {} }],
                ["scaling.memoryTarget", null],
            ]),
        );
        assert.deepEqual(cfg.compute.spot, {
            onDemandBaseCapacity: 1,
            onDemandPercentageAboveBase: 0,
            instanceTypes: ["t3.medium"],
            allocationStrategy: "price-capacity-optimized",
        });
    });

    it("accepts valkey with its own default version", () => {
        const cfg = parseConfig(withValue(stackRaw("dev"), "cache", { engine: "valkey" }));
        assert.equal(cfg.cache.engineVersion, "8.0");
    });
});

// Every rule: the bad value, and the key the error must name.
interface BadCase {
    rule: string;
    stack?: "dev" | "prod";
    set: Array<[string, unknown]>;
    key: string;
    message?: RegExp;
}

const W = `${NS}:`;
const badCases: BadCase[] = [
    // health check
    {
        rule: "health-check interval below 5 s",
        set: [["healthCheck.interval", 4]],
        key: `${W}healthCheck.interval`,
    },
    {
        rule: "health-check interval above 300 s",
        set: [["healthCheck.interval", 301]],
        key: `${W}healthCheck.interval`,
    },
    {
        rule: "health-check timeout below 2 s",
        set: [["healthCheck.timeout", 1]],
        key: `${W}healthCheck.timeout`,
    },
    {
        rule: "health-check timeout above 120 s",
        set: [
            ["healthCheck.interval", 300],
            ["healthCheck.timeout", 121],
        ],
        key: `${W}healthCheck.timeout`,
    },
    {
        rule: "health-check timeout not shorter than interval",
        set: [
            ["healthCheck.interval", 10],
            ["healthCheck.timeout", 10],
        ],
        key: `${W}healthCheck.timeout`,
        message: /shorter than healthCheck.interval/,
    },
    {
        rule: "healthy threshold below 2",
        set: [["healthCheck.healthyThreshold", 1]],
        key: `${W}healthCheck.healthyThreshold`,
    },
    {
        rule: "healthy threshold above 10",
        set: [["healthCheck.healthyThreshold", 11]],
        key: `${W}healthCheck.healthyThreshold`,
    },
    {
        rule: "unhealthy threshold below 2",
        set: [["healthCheck.unhealthyThreshold", 1]],
        key: `${W}healthCheck.unhealthyThreshold`,
    },
    {
        rule: "unhealthy threshold above 10",
        set: [["healthCheck.unhealthyThreshold", 11]],
        key: `${W}healthCheck.unhealthyThreshold`,
    },
    {
        rule: "matcher that is not HTTP codes",
        set: [["healthCheck.matcher", "ok"]],
        key: `${W}healthCheck.matcher`,
    },
    {
        rule: "matcher range reversed",
        set: [["healthCheck.matcher", "299-200"]],
        key: `${W}healthCheck.matcher`,
    },
    {
        rule: "matcher code outside 200-499",
        set: [["healthCheck.matcher", "200,503"]],
        key: `${W}healthCheck.matcher`,
    },
    {
        rule: "health-check path without leading slash",
        set: [["healthCheck.path", "health"]],
        key: `${W}healthCheck.path`,
    },
    {
        rule: "health-check interval of the wrong type",
        set: [["healthCheck.interval", "ten"]],
        key: `${W}healthCheck.interval`,
        message: /must be a number/,
    },
    // capacity
    {
        rule: "capacity min above max",
        set: [["capacity", { min: 5, desired: 5, max: 4 }]],
        key: `${W}capacity.min`,
    },
    {
        rule: "capacity desired above max",
        set: [["capacity", { min: 2, desired: 5, max: 4 }]],
        key: `${W}capacity.desired`,
    },
    {
        rule: "capacity desired below min",
        set: [["capacity", { min: 3, desired: 2, max: 4 }]],
        key: `${W}capacity.desired`,
    },
    {
        rule: "capacity min negative",
        set: [["capacity", { min: -1, desired: 2, max: 4 }]],
        key: `${W}capacity.min`,
    },
    {
        rule: "capacity max below 1",
        set: [["capacity", { min: 0, desired: 0, max: 0 }]],
        key: `${W}capacity.max`,
    },
    {
        rule: "capacity not an integer",
        set: [["capacity", { min: 1.5, desired: 2, max: 4 }]],
        key: `${W}capacity.min`,
    },
    {
        rule: "production web capacity min below 2",
        stack: "prod",
        set: [["capacity", { min: 1, desired: 3, max: 10 }]],
        key: `${W}capacity.min`,
        message: /production/,
    },
    // ports
    { rule: "app port 0", set: [["app.port", 0]], key: `${W}app.port` },
    { rule: "app port above 65535", set: [["app.port", 65536]], key: `${W}app.port` },
    {
        rule: "app image missing",
        set: [["app.image", undefined]],
        key: `${W}app.image`,
        message: /required/,
    },
    { rule: "app image malformed", set: [["app.image", "nginx latest"]], key: `${W}app.image` },
    {
        rule: "app writable path not absolute",
        set: [["app.writablePaths", ["tmp"]]],
        key: `${W}app.writablePaths[0]`,
        message: /absolute path/,
    },
    {
        rule: "app writable path is the root",
        set: [["app.writablePaths", ["/"]]],
        key: `${W}app.writablePaths[0]`,
    },
    {
        rule: "CDN includeWww not a boolean",
        set: [["cdn.includeWww", "sometimes"]],
        key: `${W}cdn.includeWww`,
    },
    // enums
    {
        rule: "unknown compute.mode",
        set: [["compute.mode", "lambda"]],
        key: `${W}compute.mode`,
        message: /fargate/,
    },
    {
        rule: "unknown load-balancer algorithm",
        set: [["loadBalancer.algorithm", "least_connections"]],
        key: `${W}loadBalancer.algorithm`,
    },
    {
        rule: "unknown natGateways mode, with suggestion",
        set: [["network.natGateways", "one-per-zone"]],
        key: `${W}network.natGateways`,
        message: /did you mean "one-per-az"/,
    },
    {
        rule: "unknown scaling strategy",
        set: [["scaling.strategy", "predictive"]],
        key: `${W}scaling.strategy`,
    },
    {
        rule: "unknown maxmemoryPolicy",
        set: [["cache.maxmemoryPolicy", "lru"]],
        key: `${W}cache.maxmemoryPolicy`,
    },
    { rule: "unknown cache engine", set: [["cache.engine", "memcached"]], key: `${W}cache.engine` },
    { rule: "unknown network kind", set: [["network.kind", "shared"]], key: `${W}network.kind` },
    // ARNs
    {
        rule: "certificate ARN malformed",
        set: [["loadBalancer.certificateArn", "arn:aws:acm:us-east-1:1234:cert/abc"]],
        key: `${W}loadBalancer.certificateArn`,
    },
    {
        rule: "certificate ARN from another region",
        set: [["loadBalancer.certificateArn", CERT.replace("us-east-1", "eu-west-1")]],
        key: `${W}loadBalancer.certificateArn`,
        message: /us-east-1/,
    },
    {
        rule: "certificate ARN of an IAM server certificate",
        set: [["loadBalancer.certificateArn", "arn:aws:iam::123456789012:server-certificate/web"]],
        key: `${W}loadBalancer.certificateArn`,
    },
    {
        rule: "no certificate when the CDN is off",
        set: [["cdn", { enabled: false }]],
        key: `${W}loadBalancer.certificateArn`,
        message: /required when cdn.enabled is false/,
    },
    // CIDRs and network
    {
        rule: "VPC CIDR prefix above 32",
        set: [["network.cidrBlock", "10.0.0.0/33"]],
        key: `${W}network.cidrBlock`,
    },
    {
        rule: "VPC CIDR with host bits set",
        set: [["network.cidrBlock", "10.0.0.1/16"]],
        key: `${W}network.cidrBlock`,
        message: /host bits/,
    },
    {
        rule: "VPC CIDR larger than /16",
        set: [["network.cidrBlock", "10.0.0.0/8"]],
        key: `${W}network.cidrBlock`,
        message: /\/16 to \/28/,
    },
    {
        rule: "VPC CIDR too small for its AZs",
        set: [
            ["network.cidrBlock", "10.0.0.0/26"],
            ["network.azCount", 3],
        ],
        key: `${W}network.cidrBlock`,
        message: /too small/,
    },
    {
        rule: "VPC CIDR that is IPv6",
        set: [["network.cidrBlock", "2001:db8::/56"]],
        key: `${W}network.cidrBlock`,
    },
    {
        rule: "ingress IPv4 CIDR malformed",
        set: [["loadBalancer.ingressCidrs", ["300.0.0.0/8"]]],
        key: `${W}loadBalancer.ingressCidrs[0]`,
    },
    {
        rule: "ingress IPv4 list given an IPv6 CIDR",
        set: [["loadBalancer.ingressCidrs", ["0.0.0.0/0", "::/0"]]],
        key: `${W}loadBalancer.ingressCidrs[1]`,
        message: /IPv6/,
    },
    {
        rule: "ingress IPv6 prefix above 128",
        set: [["loadBalancer.ingressIpv6Cidrs", ["2001:db8::/129"]]],
        key: `${W}loadBalancer.ingressIpv6Cidrs[0]`,
    },
    {
        rule: "ingress IPv6 CIDR with host bits set",
        set: [["loadBalancer.ingressIpv6Cidrs", ["2001:db8::1/32"]]],
        key: `${W}loadBalancer.ingressIpv6Cidrs[0]`,
    },
    {
        rule: "ingress IPv6 CIDR with two ::",
        set: [["loadBalancer.ingressIpv6Cidrs", ["2001::db8::/32"]]],
        key: `${W}loadBalancer.ingressIpv6Cidrs[0]`,
    },
    {
        rule: "origin prefix list capacity over the security group quota",
        set: [["loadBalancer.originPrefixListMaxEntries", { ipv4: 31, ipv6: 15 }]],
        key: `${W}loadBalancer.originPrefixListMaxEntries.ipv4`,
        message: /from 1 to 30 entries .*quota of 60 inbound rules/,
    },
    {
        rule: "origin prefix list without room",
        set: [["loadBalancer.originPrefixListMaxEntries", { ipv4: 25, ipv6: 0 }]],
        key: `${W}loadBalancer.originPrefixListMaxEntries.ipv6`,
    },
    {
        rule: "origin prefix list smaller than Cloudflare's published IPv4 ranges",
        set: [["loadBalancer.originPrefixListMaxEntries", { ipv4: 14, ipv6: 15 }]],
        key: `${W}loadBalancer.originPrefixListMaxEntries.ipv4`,
        message: /must hold Cloudflare's 15 published IPv4 ranges .*set it to 15 or more/,
    },
    {
        rule: "origin prefix list smaller than Cloudflare's published IPv6 ranges",
        set: [["loadBalancer.originPrefixListMaxEntries", { ipv4: 25, ipv6: 6 }]],
        key: `${W}loadBalancer.originPrefixListMaxEntries.ipv6`,
        message: /must hold Cloudflare's 7 published IPv6 ranges/,
    },
    {
        rule: "duplicate ingress CIDR",
        set: [["loadBalancer.ingressCidrs", ["10.0.0.0/8", "10.0.0.0/8"]]],
        key: `${W}loadBalancer.ingressCidrs`,
    },
    { rule: "azCount below 2", set: [["network.azCount", 1]], key: `${W}network.azCount` },
    { rule: "azCount above 6", set: [["network.azCount", 7]], key: `${W}network.azCount` },
    {
        rule: "existing VPC id malformed",
        set: [
            [
                "network",
                {
                    vpcId: "vpc-xyz",
                    publicSubnetIds: ["subnet-0a0a0a0a", "subnet-0b0b0b0b"],
                    privateSubnetIds: ["subnet-0c0c0c0c", "subnet-0d0d0d0d"],
                    cidrBlock: "10.0.0.0/16",
                },
            ],
        ],
        key: `${W}network.vpcId`,
    },
    {
        rule: "existing VPC with one public subnet",
        set: [
            [
                "network",
                {
                    vpcId: "vpc-0a0a0a0a",
                    publicSubnetIds: ["subnet-0a0a0a0a"],
                    privateSubnetIds: ["subnet-0c0c0c0c", "subnet-0d0d0d0d"],
                    cidrBlock: "10.0.0.0/16",
                },
            ],
        ],
        key: `${W}network.publicSubnetIds`,
        message: /at least 2/,
    },
    {
        rule: "existing VPC with a malformed subnet id",
        set: [
            [
                "network",
                {
                    vpcId: "vpc-0a0a0a0a",
                    publicSubnetIds: ["subnet-0a0a0a0a", "sn-1"],
                    privateSubnetIds: ["subnet-0c0c0c0c", "subnet-0d0d0d0d"],
                    cidrBlock: "10.0.0.0/16",
                },
            ],
        ],
        key: `${W}network.publicSubnetIds[1]`,
    },
    {
        rule: "existing VPC without its CIDR",
        set: [
            [
                "network",
                {
                    vpcId: "vpc-0a0a0a0a",
                    publicSubnetIds: ["subnet-0a0a0a0a", "subnet-0b0b0b0b"],
                    privateSubnetIds: ["subnet-0c0c0c0c", "subnet-0d0d0d0d"],
                },
            ],
        ],
        key: `${W}network.cidrBlock`,
        message: /required/,
    },
    {
        rule: "existing VPC reusing a public subnet as private",
        set: [
            [
                "network",
                {
                    vpcId: "vpc-0a0a0a0a",
                    publicSubnetIds: ["subnet-0a0a0a0a", "subnet-0b0b0b0b"],
                    privateSubnetIds: ["subnet-0a0a0a0a", "subnet-0d0d0d0d"],
                    cidrBlock: "10.0.0.0/16",
                },
            ],
        ],
        key: `${W}network.privateSubnetIds`,
    },
    {
        rule: "existing VPC with a NAT setting",
        set: [
            [
                "network",
                {
                    vpcId: "vpc-0a0a0a0a",
                    publicSubnetIds: ["subnet-0a0a0a0a", "subnet-0b0b0b0b"],
                    privateSubnetIds: ["subnet-0c0c0c0c", "subnet-0d0d0d0d"],
                    cidrBlock: "10.0.0.0/16",
                    natGateways: "single",
                },
            ],
        ],
        key: `${W}network.natGateways`,
    },
    // Fargate task sizes
    { rule: "Fargate CPU not a valid size", set: [["app.cpu", 300]], key: `${W}app.cpu` },
    {
        rule: "Fargate 256 CPU with 4096 MiB",
        set: [
            ["app.cpu", 256],
            ["app.memory", 4096],
        ],
        key: `${W}app.memory`,
        message: /512, 1024, 2048/,
    },
    {
        rule: "Fargate 4096 CPU with memory off the 1024 step",
        set: [
            ["app.cpu", 4096],
            ["app.memory", 8500],
        ],
        key: `${W}app.memory`,
    },
    {
        rule: "Fargate 8192 CPU with memory off the 4096 step",
        set: [
            ["app.cpu", 8192],
            ["app.memory", 18432],
        ],
        key: `${W}app.memory`,
    },
    // load balancer
    {
        rule: "stickiness duration 0",
        set: [["loadBalancer.stickiness", { enabled: true, duration: 0 }]],
        key: `${W}loadBalancer.stickiness.duration`,
    },
    {
        rule: "stickiness duration above 7 days",
        set: [["loadBalancer.stickiness", { enabled: true, duration: 604801 }]],
        key: `${W}loadBalancer.stickiness.duration`,
    },
    {
        rule: "deregistration delay above 3600",
        set: [["loadBalancer.deregistrationDelay", 3601]],
        key: `${W}loadBalancer.deregistrationDelay`,
    },
    {
        rule: "deregistration delay negative",
        set: [["loadBalancer.deregistrationDelay", -1]],
        key: `${W}loadBalancer.deregistrationDelay`,
    },
    {
        rule: "idle timeout 0",
        set: [["loadBalancer.idleTimeout", 0]],
        key: `${W}loadBalancer.idleTimeout`,
    },
    {
        rule: "idle timeout above 4000",
        set: [["loadBalancer.idleTimeout", 4001]],
        key: `${W}loadBalancer.idleTimeout`,
    },
    {
        rule: "SSL policy not an ELB policy",
        set: [["loadBalancer.sslPolicy", "TLSv1.2_2021"]],
        key: `${W}loadBalancer.sslPolicy`,
    },
    {
        rule: "access log expiry 0 days",
        set: [["loadBalancer.accessLogs", { enabled: true, expirationDays: 0 }]],
        key: `${W}loadBalancer.accessLogs.expirationDays`,
    },
    {
        rule: "deletion protection not a boolean",
        set: [["loadBalancer.deletionProtection", "yes"]],
        key: `${W}loadBalancer.deletionProtection`,
    },
    // WAF
    { rule: "WAF rate limit below 10", set: [["waf.rateLimit", 9]], key: `${W}waf.rateLimit` },
    {
        rule: "WAF rate limit above 2e9",
        set: [["waf.rateLimit", 2_000_000_001]],
        key: `${W}waf.rateLimit`,
    },
    {
        rule: "WAF window not 60/120/300/600",
        set: [["waf.rateWindowSeconds", 90]],
        key: `${W}waf.rateWindowSeconds`,
    },
    // scaling
    { rule: "CPU target 0", set: [["scaling.cpuTarget", 0]], key: `${W}scaling.cpuTarget` },
    {
        rule: "CPU target above 100",
        set: [["scaling.cpuTarget", 101]],
        key: `${W}scaling.cpuTarget`,
    },
    {
        rule: "memory target above 100",
        set: [["scaling.memoryTarget", 150]],
        key: `${W}scaling.memoryTarget`,
    },
    {
        rule: "requests per target 0",
        set: [["scaling.requestsPerTarget", 0]],
        key: `${W}scaling.requestsPerTarget`,
    },
    {
        rule: "memory target in EC2 mode",
        set: [["compute.mode", "ec2"]],
        key: `${W}scaling.memoryTarget`,
        message: /Fargate/,
    },
    {
        rule: "target tracking with every target disabled",
        set: [["scaling", { cpuTarget: null, memoryTarget: null, requestsPerTarget: null }]],
        key: `${W}scaling.cpuTarget`,
        message: /at least one/,
    },
    {
        rule: "scale-out cooldown not shorter than scale-in",
        set: [
            ["scaling.scaleOutCooldown", 300],
            ["scaling.scaleInCooldown", 300],
        ],
        key: `${W}scaling.scaleOutCooldown`,
        message: /shorter than scaleInCooldown/,
    },
    {
        rule: "step scale-out threshold not above scale-in",
        set: [["scaling.step", { scaleOutCpuThreshold: 30, scaleInCpuThreshold: 40 }]],
        key: `${W}scaling.step.scaleOutCpuThreshold`,
    },
    {
        rule: "step alarm period not 10/30/60n",
        set: [["scaling.step", { alarmPeriod: 45 }]],
        key: `${W}scaling.step.alarmPeriod`,
    },
    {
        rule: "step scale-in adjustment 0",
        set: [["scaling.step", { scaleInAdjustment: 0 }]],
        key: `${W}scaling.step.scaleInAdjustment`,
    },
    // compute
    {
        rule: "log retention not a CloudWatch value",
        set: [["compute.logRetentionDays", 45]],
        key: `${W}compute.logRetentionDays`,
    },
    {
        rule: "root volume below the AMI snapshot",
        set: [["compute.rootVolumeGiB", 20]],
        key: `${W}compute.rootVolumeGiB`,
    },
    {
        rule: "spot settings in Fargate mode",
        set: [["compute.spot", { instanceTypes: ["t3.small", "t3a.small"] }]],
        key: `${W}compute.spot`,
        message: /ec2/,
    },
    {
        rule: "spot on-demand percentage above 100",
        set: [
            ["compute", { mode: "ec2", spot: { onDemandPercentageAboveBase: 120 } }],
            ["scaling.memoryTarget", null],
        ],
        key: `${W}compute.spot.onDemandPercentageAboveBase`,
    },
    { rule: "AMI id malformed", set: [["compute.amiId", "ami-xyz"]], key: `${W}compute.amiId` },
    {
        rule: "instance refresh healthy percentage above 100",
        set: [["compute.instanceRefreshMinHealthyPercentage", 101]],
        key: `${W}compute.instanceRefreshMinHealthyPercentage`,
    },
    {
        rule: "instance type malformed",
        set: [["compute.instanceType", "t3small"]],
        key: `${W}compute.instanceType`,
    },
    // database
    {
        rule: "database engine major below 13",
        set: [["database.engineVersion", "12.19"]],
        key: `${W}database.engineVersion`,
    },
    {
        rule: "backup retention 0 days",
        set: [["database.backupRetentionDays", 0]],
        key: `${W}database.backupRetentionDays`,
    },
    {
        rule: "backup retention above 35 days",
        set: [["database.backupRetentionDays", 36]],
        key: `${W}database.backupRetentionDays`,
    },
    {
        rule: "production backup retention below 7 days",
        stack: "prod",
        set: [["database.backupRetentionDays", 5]],
        key: `${W}database.backupRetentionDays`,
        message: /production/,
    },
    {
        rule: "backup window malformed",
        set: [["database.backupWindow", "3am-4am"]],
        key: `${W}database.backupWindow`,
    },
    {
        rule: "backup window shorter than 30 minutes",
        set: [["database.backupWindow", "03:00-03:15"]],
        key: `${W}database.backupWindow`,
    },
    {
        rule: "maintenance window malformed",
        set: [["database.maintenanceWindow", "sunday:04:30-sunday:05:30"]],
        key: `${W}database.maintenanceWindow`,
    },
    {
        rule: "maintenance window overlapping the backup window",
        set: [
            ["database.backupWindow", "04:00-05:00"],
            ["database.maintenanceWindow", "sun:04:30-sun:05:30"],
        ],
        key: `${W}database.maintenanceWindow`,
        message: /overlap/,
    },
    {
        rule: "max storage not above allocated",
        set: [
            ["database.allocatedStorageGiB", 100],
            ["database.maxAllocatedStorageGiB", 100],
        ],
        key: `${W}database.maxAllocatedStorageGiB`,
    },
    {
        rule: "allocated storage below 20 GiB",
        set: [["database.allocatedStorageGiB", 10]],
        key: `${W}database.allocatedStorageGiB`,
    },
    {
        rule: "read replicas above 15 (the RDS limit)",
        set: [["database.readReplicas", 16]],
        key: `${W}database.readReplicas`,
        message: /0 to 15.*up to 15 read replicas/,
    },
    {
        rule: "max storage less than 10 % above allocated",
        set: [
            ["database.allocatedStorageGiB", 100],
            ["database.maxAllocatedStorageGiB", 105],
        ],
        key: `${W}database.maxAllocatedStorageGiB`,
        message: /at least 110 GiB.*10 % above allocatedStorageGiB \(100\)/,
    },
    {
        rule: "production without a read replica",
        stack: "prod",
        set: [["database.readReplicas", 0]],
        key: `${W}database.readReplicas`,
        message: /production/,
    },
    {
        rule: "enhanced monitoring interval not allowed",
        set: [["database.monitoringInterval", 2]],
        key: `${W}database.monitoringInterval`,
    },
    {
        rule: "Performance Insights retention not 7 or 31n",
        set: [["database.performanceInsightsRetentionDays", 30]],
        key: `${W}database.performanceInsightsRetentionDays`,
    },
    {
        rule: "Performance Insights retention above 731",
        set: [["database.performanceInsightsRetentionDays", 744]],
        key: `${W}database.performanceInsightsRetentionDays`,
    },
    {
        rule: "reserved master username",
        set: [["database.masterUsername", "rdsadmin"]],
        key: `${W}database.masterUsername`,
    },
    {
        rule: "database name starting with a digit",
        set: [["database.databaseName", "1app"]],
        key: `${W}database.databaseName`,
    },
    {
        rule: "instance class malformed",
        set: [["database.instanceClass", "t4g.micro"]],
        key: `${W}database.instanceClass`,
    },
    // cache
    {
        rule: "cache with a single node",
        set: [["cache.numNodes", 1]],
        key: `${W}cache.numNodes`,
        message: /failover/,
    },
    {
        rule: "cache with more than 6 nodes",
        set: [["cache.numNodes", 7]],
        key: `${W}cache.numNodes`,
    },
    {
        rule: "cache snapshot retention above 35",
        set: [["cache.snapshotRetentionDays", 36]],
        key: `${W}cache.snapshotRetentionDays`,
    },
    {
        rule: "redis version unsupported",
        set: [["cache.engineVersion", "5.0.6"]],
        key: `${W}cache.engineVersion`,
    },
    {
        rule: "cache snapshot window overlapping maintenance",
        set: [
            ["cache.snapshotWindow", "06:00-07:00"],
            ["cache.maintenanceWindow", "sun:06:30-sun:07:30"],
        ],
        key: `${W}cache.maintenanceWindow`,
    },
    {
        rule: "cache snapshot window shorter than 60 minutes",
        set: [["cache.snapshotWindow", "05:00-05:30"]],
        key: `${W}cache.snapshotWindow`,
    },
    {
        rule: "cache node type malformed",
        set: [["cache.nodeType", "t4g.micro"]],
        key: `${W}cache.nodeType`,
    },
    // workers
    {
        rule: "worker name with invalid characters",
        set: [["workers[0].name", "Jobs_1"]],
        key: `${W}workers[0].name`,
    },
    {
        rule: "worker name missing",
        set: [["workers", [{ command: ["run"] }]]],
        key: `${W}workers[0].name`,
        message: /required/,
    },
    {
        rule: "duplicate worker names",
        set: [["workers", [{ name: "jobs" }, { name: "jobs" }]]],
        key: `${W}workers[1].name`,
        message: /unique/,
    },
    {
        rule: "production worker with min below 2",
        stack: "prod",
        set: [["workers[0].capacity", { min: 1, desired: 1, max: 4 }]],
        key: `${W}workers[0].capacity.min`,
        message: /production/,
    },
    {
        rule: "worker capacity min above max",
        set: [["workers[0].capacity", { min: 3, desired: 3, max: 2 }]],
        key: `${W}workers[0].capacity.min`,
    },
    {
        rule: "worker Fargate size invalid",
        set: [
            ["workers[0].cpu", 512],
            ["workers[0].memory", 512],
        ],
        key: `${W}workers[0].memory`,
    },
    {
        rule: "worker CPU target above 100",
        set: [["workers[0].cpuTarget", 120]],
        key: `${W}workers[0].cpuTarget`,
    },
    {
        rule: "worker cooldowns inverted",
        set: [["workers[0].scaleOutCooldown", 600]],
        key: `${W}workers[0].scaleOutCooldown`,
    },
    {
        rule: "queue metric without a metric name",
        set: [["workers[0].queueMetric", { namespace: "App/Jobs", targetPerTask: 10 }]],
        key: `${W}workers[0].queueMetric.metricName`,
        message: /required/,
    },
    {
        rule: "queue metric target 0",
        set: [
            [
                "workers[0].queueMetric",
                { namespace: "App/Jobs", metricName: "Depth", targetPerTask: 0 },
            ],
        ],
        key: `${W}workers[0].queueMetric.targetPerTask`,
    },
    {
        rule: "queue metric statistic unknown",
        set: [
            [
                "workers[0].queueMetric",
                {
                    namespace: "App/Jobs",
                    metricName: "Depth",
                    targetPerTask: 10,
                    statistic: "Median",
                },
            ],
        ],
        key: `${W}workers[0].queueMetric.statistic`,
    },
    { rule: "workers not a list", set: [["workers", { name: "jobs" }]], key: `${W}workers` },
    {
        rule: "worker environment with a secret-looking name",
        set: [["workers[0].environment", { BROKER_PASSWORD: "x" }]],
        key: `${W}workers[0].environment.BROKER_PASSWORD`,
        message: /Secrets Manager/,
    },
    // monitoring
    {
        rule: "alarm e-mail malformed",
        set: [["monitoring.alarmEmails", ["ops@example.com", "oncall"]]],
        key: `${W}monitoring.alarmEmails[1]`,
    },
    {
        rule: "alarm threshold 0",
        set: [["monitoring.thresholds", { dbFreeStorageGiB: 0 }]],
        key: `${W}monitoring.thresholds.dbFreeStorageGiB`,
    },
    {
        rule: "percent threshold above 100",
        set: [["monitoring.thresholds", { serviceCpuPercent: 150 }]],
        key: `${W}monitoring.thresholds.serviceCpuPercent`,
    },
    {
        rule: "alarm period not 10/30/60n",
        set: [["monitoring.period", 45]],
        key: `${W}monitoring.period`,
    },
    {
        rule: "alarm evaluation longer than a day",
        set: [
            ["monitoring.period", 3600],
            ["monitoring.evaluationPeriods", 25],
        ],
        key: `${W}monitoring.evaluationPeriods`,
    },
    // CDN
    {
        rule: "Cloudflare account id not 32 hex",
        set: [["cdn.accountId", "my-account"]],
        key: `${W}cdn.accountId`,
    },
    {
        rule: "Cloudflare zone id too short",
        set: [["cdn.zoneId", "fedcba98"]],
        key: `${W}cdn.zoneId`,
    },
    {
        rule: "CDN domain not a hostname",
        set: [["cdn.domain", "https://example.com/"]],
        key: `${W}cdn.domain`,
    },
    {
        rule: "CDN static extensions empty",
        set: [["cdn.staticExtensions", []]],
        key: `${W}cdn.staticExtensions`,
    },
    {
        rule: "CDN static extension with a dot",
        set: [["cdn.staticExtensions", ["css", ".js"]]],
        key: `${W}cdn.staticExtensions[1]`,
    },
    {
        rule: "CDN api prefix without leading slash",
        set: [["cdn.apiPrefix", "api/"]],
        key: `${W}cdn.apiPrefix`,
    },
    {
        rule: "CDN api prefix without trailing slash",
        set: [["cdn.apiPrefix", "/api"]],
        key: `${W}cdn.apiPrefix`,
    },
    {
        rule: "CDN compatibility date not a date",
        set: [["cdn.compatibilityDate", "2025-13-01"]],
        key: `${W}cdn.compatibilityDate`,
    },
    { rule: "CDN HTML TTL negative", set: [["cdn.htmlEdgeTtl", -1]], key: `${W}cdn.htmlEdgeTtl` },
    // secrets
    {
        rule: "Cloudflare token stored in plain text",
        set: [],
        key: "cloudflare:apiToken",
        message: /--secret cloudflare:apiToken/,
    },
    {
        rule: "Cloudflare token missing with the CDN on",
        set: [["cloudflare:apiToken", undefined]],
        key: "cloudflare:apiToken",
        message: /required/,
    },
    {
        rule: "app environment variable named like a password",
        set: [["app.environment", { DB_PASSWORD: "hunter2" }]],
        key: `${W}app.environment.DB_PASSWORD`,
        message: /Secrets Manager/,
    },
    {
        rule: "app environment variable named like a token",
        set: [["app.environment", { githubToken: "x" }]],
        key: `${W}app.environment.githubToken`,
        message: /Secrets Manager/,
    },
    {
        rule: "app environment variable named like a key",
        set: [["app.environment", { STRIPE_API_KEY: "x" }]],
        key: `${W}app.environment.STRIPE_API_KEY`,
        message: /Secrets Manager/,
    },
    {
        rule: "app environment variable with an invalid name",
        set: [["app.environment", { "LOG-LEVEL": "x" }]],
        key: `${W}app.environment.LOG-LEVEL`,
    },
    {
        rule: "secret-looking top-level key",
        set: [["dbPassword", "hunter2"]],
        key: `${W}dbPassword`,
        message: /Secrets Manager/,
    },
    // typos
    {
        rule: "misspelt top-level key",
        set: [["healtCheck", { interval: 10 }]],
        key: `${W}healtCheck`,
        message: /did you mean "healthCheck"/,
    },
    {
        rule: "misspelt nested field",
        set: [["healthCheck.intervall", 10]],
        key: `${W}healthCheck.intervall`,
        message: /did you mean "interval"/,
    },
    {
        rule: "misspelt worker field",
        set: [["workers[0].comand", ["run"]]],
        key: `${W}workers[0].comand`,
        message: /did you mean "command"/,
    },
    // tags, region, environment
    {
        rule: "tag key with the aws: prefix",
        set: [["tags", { "aws:owner": "me" }]],
        key: `${W}tags.aws:owner`,
    },
    {
        rule: "tag key longer than 128",
        set: [["tags", { ["k".repeat(129)]: "v" }]],
        key: `${W}tags.${"k".repeat(129)}`,
    },
    {
        rule: "tag value longer than 256",
        set: [["tags", { owner: "v".repeat(257) }]],
        key: `${W}tags.owner`,
    },
    {
        rule: "more than 50 tags with the defaults",
        set: [["tags", Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`t${i}`, "x"]))]],
        key: `${W}tags`,
        message: /50/,
    },
    {
        rule: "region missing",
        set: [["aws:region", undefined]],
        key: "aws:region",
        message: /required/,
    },
    { rule: "region malformed", set: [["aws:region", "us-east"]], key: "aws:region" },
    {
        rule: "capacity max above ECS's 5,000 tasks per service",
        set: [["capacity.max", 5001]],
        key: `${W}capacity.max`,
        message: /1 to 5000/,
    },
    {
        rule: "region that only looks right",
        set: [["aws:region", "us-east-7"]],
        key: "aws:region",
        message: /is not an AWS region \(did you mean "us-east-1"\?\)/,
    },
    {
        rule: "environment name with invalid characters",
        set: [["environment", "Prod!"]],
        key: `${W}environment`,
    },
    {
        rule: "production flag not a boolean",
        set: [["production", "maybe"]],
        key: `${W}production`,
    },
    {
        rule: "a section given as a plain string",
        set: [["app", "nginx"]],
        key: `${W}app`,
        message: /must be an object/,
    },
    {
        rule: "a list given as a string",
        set: [["monitoring.alarmEmails", "ops@example.com"]],
        key: `${W}monitoring.alarmEmails`,
        message: /list of strings/,
    },
];

describe("config: every rule names the offending key", () => {
    for (const c of badCases) {
        it(`rejects ${c.rule}`, () => {
            let raw = stackRaw(c.stack ?? "dev");
            if (c.rule === "Cloudflare token stored in plain text") {
                raw = {
                    ...raw,
                    secretKeys: raw.secretKeys.filter((k) => k !== "cloudflare:apiToken"),
                };
            }
            expectIssue(withValues(raw, c.set), c.key, c.message);
        });
    }

    it("reports every problem at once in a single ConfigError", () => {
        const raw = withValues(stackRaw("dev"), [
            ["healthCheck.interval", 400],
            ["app.port", 70000],
            ["waf.rateWindowSeconds", 30],
            ["cache.numNodes", 1],
            ["aws:region", "mars-1"],
        ]);
        const err = (() => {
            try {
                parseConfig(raw);
            } catch (e) {
                return e;
            }
            return undefined;
        })();
        assert.ok(err instanceof ConfigError);
        const keys = err.issues.map((i) => i.key);
        for (const k of [
            `${W}healthCheck.interval`,
            `${W}app.port`,
            `${W}waf.rateWindowSeconds`,
            `${W}cache.numNodes`,
            "aws:region",
        ]) {
            assert.ok(keys.includes(k), `missing ${k} in ${keys.join(", ")}`);
            assert.ok(err.message.includes(k), "the message lists every key");
        }
        assert.match(err.message, /Invalid stack configuration \(5 problems\)/);
        assert.match(err.message, /got 400/);
    });

    it("reports a wrong-typed value once, not again as a range error", () => {
        const issues = issuesOf(withValue(stackRaw("dev"), "healthCheck.timeout", "five"));
        assert.equal(issues.filter((i) => i.key === `${W}healthCheck.timeout`).length, 1);
    });

    it("never echoes a secret-looking value in the error", () => {
        const err = issuesOf(
            withValue(stackRaw("dev"), "app.environment", { DB_PASSWORD: "hunter2" }),
        );
        assert.ok(!JSON.stringify(err).includes("hunter2"));
    });

    it("does not apply CDN rules when the CDN is off", () => {
        const issues = issuesOf(
            withValues(stackRaw("dev"), [
                ["cdn", { enabled: false, accountId: "x" }],
                ["loadBalancer.certificateArn", CERT],
            ]),
        );
        assert.deepEqual(issues, []);
    });

    it("does not require a read replica for a production stack without a database", () => {
        assert.doesNotThrow(() =>
            parseConfig(
                withValue(stackRaw("prod"), "database", { enabled: false, readReplicas: 0 }),
            ),
        );
    });
});

describe("config: rule helpers", () => {
    it("isValidCidr accepts IPv4/IPv6 network addresses and rejects the rest", () => {
        for (const ok of [
            "0.0.0.0/0",
            "10.0.0.0/16",
            "192.168.1.128/25",
            "::/0",
            "2001:db8::/32",
            "2606:4700::/32",
            "fe80::/10",
        ]) {
            assert.ok(isValidCidr(ok), ok);
        }
        for (const bad of [
            "10.0.0.0",
            "10.0.0/16",
            "256.0.0.0/8",
            "10.0.0.1/16",
            "01.0.0.0/8",
            "2001:db8::1/32",
            ":::/0",
            "2001:db8::/129",
            "gggg::/16",
        ]) {
            assert.ok(!isValidCidr(bad), bad);
        }
        assert.ok(isValidCidr("10.0.0.0/8", 4) && !isValidCidr("10.0.0.0/8", 6));
    });

    it("fargateCpuMemoryValid follows the AWS task-size table", () => {
        assert.ok(fargateCpuMemoryValid(256, 512) && fargateCpuMemoryValid(256, 2048));
        assert.ok(!fargateCpuMemoryValid(256, 3072));
        assert.ok(fargateCpuMemoryValid(4096, 30720) && !fargateCpuMemoryValid(4096, 31744));
        assert.ok(
            fargateCpuMemoryValid(8192, 16384 + 4096) && !fargateCpuMemoryValid(8192, 16384 + 1024),
        );
        assert.ok(fargateCpuMemoryValid(16384, 122880) && !fargateCpuMemoryValid(16384, 131072));
        assert.ok(!fargateCpuMemoryValid(3000, 8192));
    });

    it("detectionSeconds is interval x unhealthy threshold", () => {
        assert.equal(detectionSeconds({ interval: 10, unhealthyThreshold: 3 }), 30);
        assert.equal(detectionSeconds({ interval: 30, unhealthyThreshold: 5 }), 150);
    });

    it("windowsOverlap compares a daily window against every day of a weekly one", () => {
        const w = (s: string) => parseWindow(s)!;
        assert.ok(windowsOverlap(w("04:00-05:00"), w("wed:04:30-wed:05:30")));
        assert.ok(!windowsOverlap(w("03:00-04:00"), w("sun:04:30-sun:05:30")));
        assert.ok(
            windowsOverlap(w("23:30-00:30"), w("mon:00:00-mon:01:00")),
            "windows wrapping midnight",
        );
        assert.ok(
            windowsOverlap(w("sun:23:00-mon:01:00"), w("mon:00:30-mon:02:00")),
            "weekly window wrapping the week",
        );
        assert.equal(parseWindow("24:00-01:00"), undefined);
    });

    it("matchers, PI retention, ACM ARNs and secret names", () => {
        assert.ok(isValidMatcher("200") && isValidMatcher("200-299") && isValidMatcher("200,302"));
        assert.ok(!isValidMatcher("500") && !isValidMatcher("2xx") && !isValidMatcher(""));
        assert.ok(isValidPiRetention(7) && isValidPiRetention(93) && isValidPiRetention(731));
        assert.ok(!isValidPiRetention(14) && !isValidPiRetention(744));
        assert.ok(
            isAcmCertificateArn(CERT, "us-east-1") && !isAcmCertificateArn(CERT, "eu-west-1"),
        );
        assert.ok(!isAcmCertificateArn(CERT.replace("arn:aws:", "arn:aws-cn:"), "us-east-1"));
        assert.ok(
            looksSecret("DB_PASSWORD") &&
                looksSecret("apiKey") &&
                looksSecret("SECRET_KEY_BASE") &&
                looksSecret("authToken"),
        );
        assert.ok(!looksSecret("LOG_LEVEL") && !looksSecret("KEYBOARD") && !looksSecret("PORT"));
    });

    it("isImageReference accepts registry/repo:tag@digest forms and rejects malformed ones", () => {
        for (const ok of [
            "nginx",
            "public.ecr.aws/nginx/nginx:1.27",
            "ghcr.io/org/app:v1.2.3",
            "localhost:5000/app",
            `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${"a".repeat(64)}`,
        ]) {
            assert.ok(isImageReference(ok), ok);
        }
        for (const bad of ["", "nginx latest", "Nginx", "app:", "app@sha256:abc"]) {
            assert.ok(!isImageReference(bad), bad);
        }
    });

    it("defaultEnvironment turns a stack name into a valid environment name", () => {
        assert.equal(defaultEnvironment("dev"), "dev");
        assert.equal(defaultEnvironment("My_Stack.2"), "my-stack-2");
        assert.equal(
            parseConfig(withValue(stackRaw("dev"), "environment", undefined)).environment,
            "dev",
        );
    });

    it("closestMatch suggests near names and nothing for unrelated ones", () => {
        assert.equal(closestMatch("loadbalancer", KNOWN_FIELDS.topLevel), "loadBalancer");
        assert.equal(closestMatch("wokers", KNOWN_FIELDS.topLevel), "workers");
        assert.equal(closestMatch("zzzzzzzz", KNOWN_FIELDS.topLevel), undefined);
    });

    it("configWarnings flags slow dead-target detection but parseConfig accepts it", () => {
        const cfg = parseConfig(
            withValues(stackRaw("dev"), [
                ["healthCheck.interval", 30],
                ["healthCheck.timeout", 10],
                ["healthCheck.unhealthyThreshold", 5],
            ]),
        );
        const warnings = configWarnings(cfg);
        assert.ok(
            warnings.some(
                (w) => w.key === `${W}healthCheck.unhealthyThreshold` && /150 s/.test(w.message),
            ),
        );
        assert.deepEqual(
            configWarnings(parseConfig(stackRaw("prod"))),
            [],
            "the prod stack is warning-free",
        );
    });
});

describe("config: the config reference in docs/config.md", () => {
    it("documents every known key", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "config.md"), "utf8");
        assert.ok(doc.length > 1000, "docs/config.md has the config reference");
        const missing: string[] = [];
        for (const [section, fields] of Object.entries(KNOWN_FIELDS)) {
            for (const f of fields) {
                // `name`, `parent.name`, `name.child` or `name[]` in a table row or heading.
                if (!new RegExp(`[\`.]${f}[\`.[]`).test(doc)) {
                    missing.push(`${section}.${f}`);
                }
            }
        }
        assert.deepEqual(missing, []);
    });
});

describe("config: the program rejects bad config before creating anything", () => {
    it("index.ts fails with the ConfigError message for a bad stack config", async () => {
        await assert.rejects(
            runStack("dev", {
                [`${W}healthCheck`]: { interval: 2 },
                [`${W}waf`]: { rateWindowSeconds: 45 },
            }),
            (err: Error) => {
                assert.match(err.message, /Invalid stack configuration \(2 problems\)/);
                assert.match(err.message, /web-platform:healthCheck\.interval/);
                assert.match(err.message, /web-platform:waf\.rateWindowSeconds/);
                return true;
            },
        );
    });

    it("registers no cloud resource when the config is invalid", async () => {
        const file = readStackConfig(path.join(ROOT, "Pulumi.dev.yaml"));
        const config = {
            ...file.config,
            [`${W}cache`]: JSON.stringify({ numNodes: 1 }),
            "cloudflare:apiToken": SECRET_PLACEHOLDER,
        };
        const cloud = createMockCloud({ region: "us-east-1" });
        const created: string[] = [];
        await assert.rejects(
            runProgram({
                program: path.join(ROOT, "index.ts"),
                project: "web-platform",
                stack: "dev",
                config,
                secretKeys: [...file.secretKeys, "cloudflare:apiToken"],
                cloud: {
                    newResource: (args) => {
                        created.push(args.type);
                        return cloud.newResource(args);
                    },
                    call: (args) => cloud.call(args),
                },
            }),
            /web-platform:cache\.numNodes/,
        );
        assert.deepEqual(
            created.filter((t) => !t.startsWith("pulumi:")),
            [],
        );
    });
});

describe("config: what AWS accepts is accepted", () => {
    it("takes up to 15 PostgreSQL read replicas and a storage ceiling exactly 10 % above allocated", () => {
        const cfg = parseConfig(
            withValues(stackRaw("prod"), [
                ["database.readReplicas", 15],
                ["database.allocatedStorageGiB", 100],
                ["database.maxAllocatedStorageGiB", 110],
            ]),
        );
        assert.equal(cfg.database.readReplicas, 15);
        assert.equal(cfg.database.maxAllocatedStorageGiB, 110);
    });

    it("knows recent, GovCloud and China regions", () => {
        for (const region of [
            "ap-southeast-5",
            "ap-southeast-7",
            "mx-central-1",
            "ca-west-1",
            "us-gov-west-1",
            "cn-northwest-1",
        ]) {
            assert.deepEqual(
                issuesOf(withValue(stackRaw("dev"), "aws:region", region)).filter(
                    (i) => i.key === "aws:region",
                ),
                [],
                region,
            );
        }
    });
});

describe("config: physical names AWS would refuse", () => {
    it("a 24-character worker name makes an IAM role over 64 characters: the worker name is blamed with the length that fits", () => {
        const name = "a".repeat(24);
        const found = expectIssue(
            withValue(stackRaw("dev"), "workers[0].name", name),
            `${W}workers[0].name`,
            /IAM role name "web-platform-dev-worker-a{24}-execution-x{7}" \(66 characters.*AWS allows 64.*at most 22 characters/,
        );
        assert.equal(found.value, name);
        assert.doesNotThrow(() =>
            parseConfig(withValue(stackRaw("dev"), "workers[0].name", "a".repeat(22))),
        );
    });

    it("a stack name too long for the load balancer's auto-name (staging, qa-eu) is accepted: what doesn't fit gets a namePrefix", () => {
        const expected: Record<string, string[]> = {
            staging: [`web-pl${"0".repeat(26)}`, `web-pl${"0".repeat(26)}`],
            "qa-eu": [`web-pl${"0".repeat(26)}`, "web-platform-qa-eu-lb-tg-xxxxxxx"],
        };
        for (const [stack, physical] of Object.entries(expected)) {
            const cfg = parseConfig({ ...stackRaw("dev"), stack });
            assert.deepEqual(checkNameLengths(cfg), [], stack);
            const elbNames = plannedNames(cfg).filter(
                (n) => n.limit === NAME_LIMITS.loadBalancer || n.limit === NAME_LIMITS.targetGroup,
            );
            assert.deepEqual(
                elbNames.map((n) => n.logical),
                [`web-platform-${stack}-lb-alb`, `web-platform-${stack}-lb-tg`],
            );
            assert.deepEqual(
                elbNames.map((n) => n.physical),
                physical,
                `${stack}: a 6-character prefix and the provider's 26-character id, or the auto-name where it fits`,
            );
            assert.ok(
                elbNames.every((n) => n.length <= 32),
                stack,
            );
        }
    });

    it("a stack name that still can't fit (an IAM role over 64 characters) is refused on the stack, with the length that fits", () => {
        const stack = "a-very-long-stack-name-x";
        const found = expectIssue(
            { ...stackRaw("dev"), stack },
            "stack",
            /IAM role name "web-platform-a-very-long-stack-name-x-data-db-monitoring-role-x{7}" \(69 characters.*AWS allows 64.*at most 19 characters/,
        );
        assert.equal(found.value, stack);
        assert.doesNotThrow(() => parseConfig({ ...stackRaw("dev"), stack: stack.slice(0, 19) }));
    });

    it("a staging stack plans under the mock engine, its ALB and target group named from the prefix the config layer checked", async () => {
        const run = await runStack("dev", { [`${W}environment`]: "staging" }, "staging");
        const cfg = parseConfig({ ...stackRaw("dev"), stack: "staging" });
        const planned = new Map(plannedNames(cfg).map((n) => [n.logical, n]));
        for (const type of ["aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"]) {
            const r = run.resources.filter((x) => x.type === type);
            assert.equal(r.length, 1, type);
            assert.equal(r[0].inputs.namePrefix, "web-pl", type);
            assert.equal(
                String(r[0].state.name).length,
                planned.get(r[0].name)?.length,
                `${type}: the length config/names.ts checked`,
            );
        }
    });

    it("the repository's dev and prod stacks keep the load balancer's and target group's auto-names", () => {
        for (const stack of ["dev", "prod"] as const) {
            const elbNames = plannedNames(parseConfig(stackRaw(stack))).filter(
                (n) => n.limit.max === 32,
            );
            assert.deepEqual(
                elbNames.map((n) => n.physical),
                [`web-platform-${stack}-lb-alb-xxxxxxx`, `web-platform-${stack}-lb-tg-xxxxxxx`],
                stack,
            );
        }
    });

    it("the repository's dev and prod stacks fit every limit", () => {
        for (const stack of ["dev", "prod"] as const) {
            assert.deepEqual(checkNameLengths(parseConfig(stackRaw(stack))), [], stack);
        }
    });
});

describe("config: the stack's mandatory policies, applied before planning", () => {
    const prodPolicy = {
        source: "policy/config/prod.json",
        config: JSON.parse(
            fs.readFileSync(path.join(ROOT, "policy", "config", "prod.json"), "utf8"),
        ) as Record<string, unknown>,
    };
    const devPolicy = {
        source: "policy/config/dev.json",
        config: JSON.parse(
            fs.readFileSync(path.join(ROOT, "policy", "config", "dev.json"), "utf8"),
        ) as Record<string, unknown>,
    };
    const judged = (stack: "dev" | "prod", settings: Array<[string, unknown]>): RawStackConfig => ({
        ...withValues(stackRaw(stack), settings),
        policyConfig: stack === "prod" ? prodPolicy : devPolicy,
    });

    it("the repository's stacks agree with their own policy config", () => {
        assert.doesNotThrow(() => parseConfig({ ...stackRaw("prod"), policyConfig: prodPolicy }));
        assert.doesNotThrow(() => parseConfig({ ...stackRaw("dev"), policyConfig: devPolicy }));
    });

    it("a healthy threshold of 6 (AWS allows 2-10) is refused, naming target-group-health-check and why", () => {
        const raw = judged("prod", [["healthCheck.healthyThreshold", 6]]);
        expectIssue(
            raw,
            `${W}healthCheck.healthyThreshold`,
            /mandatory policy "target-group-health-check" \(policy\/config\/prod\.json\).*2-5.*before it gets traffic.*Set healthCheck\.healthyThreshold to 5 or less/,
        );
        // Without the stack's policy config only AWS's own range applies.
        assert.doesNotThrow(() =>
            parseConfig(withValue(stackRaw("prod"), "healthCheck.healthyThreshold", 6)),
        );
    });

    it("capacity with min equal to max is refused, naming scaling-policy-sane", () => {
        expectIssue(
            judged("prod", [["capacity", { min: 3, desired: 3, max: 3 }]]),
            `${W}capacity.max`,
            /"scaling-policy-sane".*max must be above min \(3\)/,
        );
        expectIssue(
            judged("dev", [["workers[0].capacity", { min: 2, desired: 2, max: 2 }]]),
            `${W}workers[0].capacity.max`,
            /"scaling-policy-sane"/,
        );
    });

    it("min-instances follows the policy config's exemptions: dev exempts workers, prod does not", () => {
        assert.doesNotThrow(() =>
            parseConfig(judged("dev", [["workers[0].capacity", { min: 1, desired: 1, max: 3 }]])),
        );
        expectIssue(
            judged("dev", [["capacity", { min: 1, desired: 1, max: 3 }]]),
            `${W}capacity.min`,
            /"min-instances".*at least 2/,
        );
    });

    it("an advisory policy refuses nothing: dev's rds-multi-az is advisory, prod's is mandatory", () => {
        assert.doesNotThrow(() => parseConfig(judged("dev", [["database.multiAz", false]])));
        expectIssue(
            judged("prod", [["database.multiAz", false]]),
            `${W}database.multiAz`,
            /"rds-multi-az"/,
        );
    });

    it("covers CPU targets, backups, log retention and cache failover with the policy's settings", () => {
        expectIssue(
            judged("prod", [["scaling.cpuTarget", 90]]),
            `${W}scaling.cpuTarget`,
            /"scaling-policy-sane".*30-80 %/,
        );
        expectIssue(
            judged("prod", [["database.backupRetentionDays", 10]]),
            `${W}database.backupRetentionDays`,
            /"rds-backup-retention".*at least 14 days/,
        );
        expectIssue(
            judged("prod", [["compute.logRetentionDays", 14]]),
            `${W}compute.logRetentionDays`,
            /"log-retention".*30-3653 days/,
        );
        expectIssue(
            judged("prod", [["cache.multiAz", false]]),
            `${W}cache.multiAz`,
            /"elasticache-failover"/,
        );
    });

    it("policySettings reads a level string, an object with settings, and falls back to the pack defaults", () => {
        assert.equal(
            policySettings({ "rds-multi-az": "advisory" }, "rds-multi-az").mandatory,
            false,
        );
        assert.equal(policySettings({}, "rds-multi-az").mandatory, true);
        assert.equal(
            policySettings(
                { "target-group-health-check": { maxHealthyThreshold: 8 } },
                "target-group-health-check",
            ).settings.maxHealthyThreshold,
            8,
        );
    });
});

describe("config: errors report the root cause", () => {
    it("a `config:` written as a YAML list says so, instead of `aws:region is required`", () => {
        const raw: RawStackConfig = {
            project: "web-platform",
            stack: "dev",
            values: { 0: { "aws:region": "us-east-1" }, 1: { "web-platform:app": {} } },
            secretKeys: [],
        };
        const issues = issuesOf(raw);
        assert.equal(issues.length, 1);
        assert.equal(issues[0].key, "config");
        assert.match(issues[0].message, /is a YAML list.*write `config:` as a map/);
    });

    it("a section written as a list is one problem, not a string of `is required` follow-ons", () => {
        const issues = issuesOf(withValue(stackRaw("dev"), "app", [{ image: "nginx:1.27" }]));
        assert.deepEqual(
            issues.map((i) => i.key),
            [`${W}app`],
        );
        assert.match(issues[0].message, /a YAML map, not a list/);
    });

    it("a CDN switch that is not a boolean is reported once; its settings and token are not then required", () => {
        const raw = withValues(stackRaw("dev"), [
            ["cdn", { enabled: "yes" }],
            ["cloudflare:apiToken", undefined],
        ]);
        assert.deepEqual(
            issuesOf(raw).map((i) => i.key),
            [`${W}cdn.enabled`],
        );
    });
});

/** `npm run plan -- --config <file> [extra]` as a real process, from the root, without colour. */
function planProcess(file: string, ...extra: string[]): SpawnSyncReturns<string> {
    return spawnSync(
        process.execPath,
        [
            "-r",
            "ts-node/register/transpile-only",
            path.join(ROOT, "scripts", "plan.ts"),
            "--config",
            file,
            ...extra,
        ],
        { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );
}

describe("config: rejected before any engine work, exit 1, no stack trace", () => {
    it("the offline plan stops at the config: no resource registered, the program never ran", async () => {
        const result = await planStack({
            stack: "dev",
            configOverrides: { "aws:region": "us-east-7" },
        });
        assert.equal(planExitCode(result), 1);
        assert.deepEqual(result.resources, []);
        assert.equal(result.timings.programMs, 0);
        assert.match(
            result.error?.message ?? "",
            /aws:region: is not an AWS region \(did you mean "us-east-1"\?\)/,
        );
        assert.equal(result.error?.stack, undefined);
    });

    it("a stack file whose `config:` is a YAML list: one problem saying so, exit 1", async () => {
        const result = await planStack({
            stack: "dev",
            configText:
                "config:\n  - aws:region: us-east-1\n  - web-platform:app:\n      image: nginx:1.27\n",
        });
        assert.equal(planExitCode(result), 1);
        assert.deepEqual(result.resources, []);
        assert.match(result.error?.message ?? "", /\(1 problem\):\n\s+- config: is a YAML list/);
        assert.doesNotMatch(result.error?.message ?? "", /is required/);
    });

    it("the offline plan applies the stack's policy config (policy/config/prod.json) to the config", async () => {
        const result = await planStack({
            stack: "prod",
            configOverrides: { "web-platform:healthCheck": { healthyThreshold: 7 } },
        });
        assert.equal(planExitCode(result), 1);
        assert.match(
            result.error?.message ?? "",
            /"target-group-health-check" \(policy\/config\/prod\.json\)/,
        );
    });

    it("`npm run plan` prints the problems and exits 1 without a stack trace", () => {
        const dir = tempDir("cfg-");
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(
            file,
            fs
                .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
                .replace("aws:region: us-east-1", "aws:region: us-east-7"),
        );
        const run = planProcess(file);
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stdout, /aws:region: is not an AWS region/);
        assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+/);
    });

    it("the program's own path ends with a RunError (message only, no stack trace)", async () => {
        await assert.rejects(
            runStack("dev", { "aws:region": "us-east-7" }),
            (err: Error & { cause?: unknown }) => {
                // The mock engine wraps what the program threw; the Pulumi CLI prints a RunError's message alone.
                assert.ok(
                    RunError.isInstance(err.cause),
                    `expected a RunError, got ${String(err.cause)}`,
                );
                assert.match(err.message, /aws:region: is not an AWS region/);
                return true;
            },
        );
    });
});

describe("config: a new VPC's AZ count fits its region, before anything registers", () => {
    const inRegion = (region: string, azCount: number): RawStackConfig =>
        withValues(stackRaw("dev"), [
            ["aws:region", region],
            ["network.azCount", azCount],
        ]);

    it("refuses azCount 3 in us-west-1, naming the key, the region, its 2 zones and the fix", () => {
        const raw = inRegion("us-west-1", 3);
        const found = expectIssue(raw, `${W}network.azCount`);
        assert.equal(found.value, 3);
        assert.match(found.message, /us-west-1 offers 2 usable availability zones/);
        assert.match(found.message, /usw1-az1, usw1-az3/);
        assert.match(found.message, /lower network\.azCount to 2, or choose an aws:region/);
        assert.throws(
            () => parseConfig(raw),
            (e: Error) => {
                assert.match(e.message, /\(1 problem\)/);
                assert.match(e.message, /- web-platform:network\.azCount: is 3 but us-west-1/);
                return true;
            },
        );
        // The program's own guard says the same for callers that skip parseConfig.
        const cfg = parseConfig(stackRaw("dev"));
        assert.equal(cfg.network.kind, "new");
        const network = { ...cfg.network, kind: "new" as const, azCount: 3 };
        assert.throws(
            () => checkBeforeRegistering({ ...cfg, region: "us-west-1", network }),
            /web-platform:network\.azCount: is 3 but us-west-1 offers 2/,
        );
    });

    it("accepts azCount 2 in us-west-1, and each region's own count but not one more", () => {
        assert.deepEqual(issuesOf(inRegion("us-west-1", 2)), []);
        for (const [region, count] of [
            ["us-west-1", 2],
            ["us-west-2", 4],
            ["ap-northeast-1", 3],
            ["us-east-1", 6],
        ] as const) {
            assert.deepEqual(issuesOf(inRegion(region, count)), [], `${region} ${count}`);
            if (count < 6) {
                expectIssue(
                    inRegion(region, count + 1),
                    `${W}network.azCount`,
                    new RegExp(`${region} offers ${count} usable`),
                );
            }
        }
    });

    it("an existing VPC is not judged by azCount: its subnets decide", () => {
        const raw = withValues(stackRaw("dev"), [
            ["aws:region", "us-west-1"],
            [
                "network",
                {
                    vpcId: "vpc-0abc1234def567890",
                    cidrBlock: "10.20.0.0/16",
                    publicSubnetIds: ["subnet-0aaa1111", "subnet-0bbb2222", "subnet-0ccc3333"],
                    privateSubnetIds: ["subnet-0ddd4444", "subnet-0eee5555", "subnet-0fff6666"],
                },
            ],
        ]);
        assert.deepEqual(issuesOf(raw), []);
        assert.deepEqual(issuesOf(inRegion("us-west-1", 3)).length, 1);
    });

    it("a region the table does not know (ap-east-2) is left to the Network's lookup at deploy", async () => {
        assert.equal(regionZoneIds("ap-east-2"), undefined);
        assert.ok((KNOWN_REGIONS as readonly string[]).includes("ap-east-2"));
        // The table refuses 6 where it knows the region has 3; it cannot judge ap-east-2.
        expectIssue(inRegion("eu-west-1", 6), `${W}network.azCount`, /eu-west-1 offers 3/);
        assert.deepEqual(issuesOf(inRegion("ap-east-2", 6)), []);
        // The lookup in components/network.ts is then the guard.
        await assert.rejects(
            runProgram({
                program: () => {
                    const net = new Network("web-platform-dev-net", {
                        settings: {
                            kind: "new",
                            cidrBlock: "10.20.0.0/16",
                            azCount: 6,
                            natGateways: "single",
                        },
                        tags: {},
                    });
                    return { azs: net.availabilityZoneNames };
                },
                project: "web-platform",
                stack: "dev",
                cloud: createMockCloud({ region: "ap-east-2" }),
            }),
            /web-platform:network\.azCount is 6 but the region offers 3 availability zones: lower network\.azCount, or choose another aws:region/,
        );
    });

    it("the table covers known regions only and agrees with the mock cloud's zone counts", () => {
        assert.match(REGION_ZONES_GENERATED, /^\d{4}-\d{2}-\d{2}$/);
        for (const [region, entry] of Object.entries(REGION_ZONES)) {
            assert.ok((KNOWN_REGIONS as readonly string[]).includes(region), region);
            assert.equal(regionAzs(region).length, entry.zoneIds.length, region);
            assert.ok(entry.zoneIds.length >= 2, `${region}: an ALB needs two AZs`);
        }
        assert.deepEqual(regionZoneIds("us-west-1"), ["usw1-az1", "usw1-az3"]);
    });

    it("the refresh script reads describe-availability-zones output: available AZs only, by AZ ID", () => {
        const fixtures = path.join(ROOT, "tests", "fixtures", "regions");
        const read = (f: string) =>
            parseDescribeAvailabilityZones(
                JSON.parse(fs.readFileSync(path.join(fixtures, f), "utf8")),
                f,
            );
        const west1 = read("us-west-1.json");
        assert.equal(west1.region, "us-west-1");
        // us-west-1b is usw1-az3 in this account: the table keeps IDs, sorted, not names.
        assert.deepEqual(west1.zoneIds, ["usw1-az1", "usw1-az3"]);
        const west2 = read("us-west-2.json");
        assert.deepEqual(west2.zoneIds, ["usw2-az1", "usw2-az2", "usw2-az4"]);
        assert.deepEqual(west2.skipped, [
            "us-west-2c (usw2-az3): state impaired",
            "us-west-2-lax-1a (usw2-lax1-az1): local-zone",
            "us-west-2-wl1-las-wlz-1 (usw2-wl1-las-wlz1): wavelength-zone",
        ]);
        const zone = {
            ZoneName: "x",
            ZoneId: "y",
            ZoneType: "availability-zone",
            State: "available",
        };
        assert.throws(
            () => parseDescribeAvailabilityZones({ Regions: [] }, "a.json"),
            /a\.json: not/,
        );
        assert.throws(
            () =>
                parseDescribeAvailabilityZones(
                    { AvailabilityZones: [{ ...zone, RegionName: "us-east-1" }] },
                    "zones/us-west-1.json",
                ),
            /named after us-west-1 but lists zones of us-east-1/,
        );
        assert.throws(
            () =>
                parseDescribeAvailabilityZones(
                    {
                        AvailabilityZones: [
                            { ...zone, RegionName: "us-east-1", ZoneId: undefined },
                        ],
                    },
                    "b.json",
                ),
            /b\.json: AvailabilityZones\[0\] has no ZoneId/,
        );

        // The module it writes: fixture regions replaced, every other entry kept as it was.
        const dir = tempDir("region-zones-");
        const out = path.join(dir, "regionZones.ts");
        const lines = refreshRegionZones({ from: fixtures, out, today: "2030-01-31" });
        assert.ok(
            lines.includes(
                "us-west-2: 4 -> 3 zones (usw2-az1, usw2-az2, usw2-az3, usw2-az4 -> usw2-az1, usw2-az2, usw2-az4)",
            ),
        );
        const text = fs.readFileSync(out, "utf8");
        assert.match(text, /REGION_ZONES_GENERATED = "2030-01-31"/);
        assert.match(
            text,
            /"us-west-2": \{\n\s+zoneIds: \["usw2-az1", "usw2-az2", "usw2-az4"\],\n\s+source: "describe-availability-zones",\n\s+checked: "2030-01-31",/,
        );
        assert.equal(
            text,
            renderRegionZonesModule(
                {
                    ...REGION_ZONES,
                    "us-west-1": {
                        zoneIds: ["usw1-az1", "usw1-az3"],
                        source: "describe-availability-zones",
                        checked: "2030-01-31",
                    },
                    "us-west-2": {
                        zoneIds: ["usw2-az1", "usw2-az2", "usw2-az4"],
                        source: "describe-availability-zones",
                        checked: "2030-01-31",
                    },
                },
                "2030-01-31",
            ),
        );
        // The committed table is exactly what the script writes for it.
        assert.equal(
            fs.readFileSync(path.join(ROOT, "config", "regionZones.ts"), "utf8"),
            renderRegionZonesModule(REGION_ZONES, REGION_ZONES_GENERATED),
        );
    });

    it("`npm run plan` in us-west-1 with azCount 3: exit 1, the key and the count named, nothing registered", () => {
        const dir = tempDir("cfg-az-");
        // The dev stack moved to us-west-1 (its ECR image too), with one AZ more than the region has.
        const file = path.join(dir, "Pulumi.dev.yaml");
        const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
        assert.match(dev, /\n {4}azCount: 2\n/);
        fs.writeFileSync(
            file,
            dev
                .replace(/us-east-1/g, "us-west-1")
                .replace(/\n {4}azCount: 2\n/, "\n    azCount: 3\n"),
        );
        const run = planProcess(file, "--no-cost", "--timeout", "30");
        const output = run.stdout + run.stderr;
        assert.equal(run.status, 1, output);
        assert.match(output, /Invalid stack configuration \(1 problem\)/);
        assert.match(
            output,
            /web-platform:network\.azCount: is 3 but us-west-1 offers 2 usable availability zones/,
        );
        assert.match(output, /\+ 0 to create/);
        assert.match(output, /Plan: 0 to create/);
        assert.doesNotMatch(output, /\n\s+at .+:\d+:\d+/);
    });
});

describe("config: what an Output's apply would refuse mid-deploy is refused before", () => {
    it("EC2 mode refuses a line break in an app.environment value (its env file); Fargate takes it", () => {
        const raw = withValue(stackRaw("dev"), "app.environment", {
            LOG_LEVEL: "debug",
            BANNER: "line one\nline two",
        });
        assert.deepEqual(issuesOf(raw), []);
        const ec2 = withValues(raw, [
            ["compute", { mode: "ec2", instanceType: "t3.small" }],
            ["scaling.memoryTarget", null],
        ]);
        const found = expectIssue(ec2, `${W}app.environment.BANNER`, /line break/);
        assert.equal(found.value, "line one\nline two");
        assert.deepEqual(issuesOf(withValue(ec2, "app.environment.BANNER", "line one")), []);
    });
});

describe("config: deployment (releases)", () => {
    const D = `${W}deployment`;

    it("smoke paths default to the health check's path", () => {
        const cfg = parseConfig(withValue(stackRaw("dev"), "healthCheck.path", "/ready"));
        assert.deepEqual(cfg.deployment.smokeTest.paths, ["/ready"]);
        assert.equal(cfg.deployment.strategy, "rolling");
    });

    it("accepts each strategy on Fargate with numbers given as strings (`config set --path`)", () => {
        for (const strategy of ["rolling", "blue-green", "canary", "linear"]) {
            const cfg = parseConfig(
                withValues(stackRaw("dev"), [
                    ["deployment.strategy", strategy],
                    ["deployment.canaryPercent", "100"],
                    ["deployment.linearStepPercent", "3"],
                    ["deployment.bakeMinutes", "1440"],
                ]),
            );
            assert.equal(cfg.deployment.strategy, strategy);
            assert.equal(cfg.deployment.canaryPercent, 100);
        }
    });

    it("refuses the edges: canary 0 and 101, bake 1441, a linear step of 2, a path without /", () => {
        for (const [path, value, key] of [
            ["deployment.canaryPercent", 0, `${D}.canaryPercent`],
            ["deployment.canaryPercent", 101, `${D}.canaryPercent`],
            ["deployment.canaryPercent", 12.5, `${D}.canaryPercent`],
            ["deployment.bakeMinutes", 1441, `${D}.bakeMinutes`],
            ["deployment.canaryBakeMinutes", -1, `${D}.canaryBakeMinutes`],
            ["deployment.linearStepPercent", 2, `${D}.linearStepPercent`],
            ["deployment.linearStepBakeMinutes", 1441, `${D}.linearStepBakeMinutes`],
            ["deployment.smokeTest.paths", ["health"], `${D}.smokeTest.paths[0]`],
            ["deployment.smokeTest.paths", ["https://x.example/health"], `${D}.smokeTest.paths[0]`],
            ["deployment.smokeTest.paths", [], `${D}.smokeTest.paths`],
            ["deployment.smokeTest.timeoutSeconds", 0, `${D}.smokeTest.timeoutSeconds`],
            ["deployment.smokeTest.expectedStatus", 99, `${D}.smokeTest.expectedStatus`],
            ["deployment.smokeTest.maxAttempts", 0, `${D}.smokeTest.maxAttempts`],
            ["deployment.smokeTest.hostname", "Not A Host", `${D}.smokeTest.hostname`],
        ] as const) {
            expectIssue(withValue(stackRaw("dev"), path, value), key);
        }
    });

    it("refuses a strategy other than rolling in EC2 mode, naming deployment.strategy", () => {
        for (const strategy of ["blue-green", "canary", "linear"]) {
            expectIssue(
                withValues(stackRaw("dev"), [
                    ["compute.mode", "ec2"],
                    ["scaling.memoryTarget", null],
                    ["deployment.strategy", strategy],
                ]),
                `${D}.strategy`,
                /ECS deployment strategies apply to Fargate/,
            );
        }
    });

    it("rollback alarms must be alarms this stack creates: a replica's lag only where there is a replica", () => {
        const lag = ["alb-5xx-rate", "db-replica-1-lag"];
        expectIssue(
            withValues(stackRaw("dev"), [
                ["deployment.strategy", "blue-green"],
                ["deployment.rollbackAlarms", lag],
            ]),
            `${D}.rollbackAlarms[1]`,
            /must be one of/,
        );
        const prod = parseConfig(
            withValues(stackRaw("prod"), [
                ["deployment.strategy", "blue-green"],
                ["deployment.rollbackAlarms", lag],
            ]),
        );
        assert.deepEqual(prod.deployment.rollbackAlarms, lag);
        expectIssue(
            withValue(stackRaw("dev"), "deployment.rollbackAlarms", ["p95-latency", "p95-latency"]),
            `${D}.rollbackAlarms[1]`,
            /twice/,
        );
    });

    it("an empty rollback list is refused where releases roll back on alarms (blue/green family, EC2), allowed for Fargate rolling", () => {
        expectIssue(
            withValues(stackRaw("dev"), [
                ["deployment.strategy", "canary"],
                ["deployment.rollbackAlarms", []],
            ]),
            D + ".rollbackAlarms",
        );
        expectIssue(
            withValues(stackRaw("dev"), [
                ["compute.mode", "ec2"],
                ["scaling.memoryTarget", null],
                ["deployment.rollbackAlarms", []],
            ]),
            D + ".rollbackAlarms",
        );
        assert.deepEqual(
            parseConfig(withValue(stackRaw("dev"), "deployment.rollbackAlarms", [])).deployment
                .rollbackAlarms,
            [],
        );
    });

    it("warns when the bake is shorter than the alarms' window, or the hook has no NAT to the EC2 API", () => {
        const cfg = parseConfig(
            withValues(stackRaw("dev"), [
                ["deployment.strategy", "blue-green"],
                ["deployment.bakeMinutes", 1],
                ["network.natGateways", "none"],
            ]),
        );
        const keys = configWarnings(cfg).map((w) => w.key);
        assert.ok(keys.includes(`${D}.bakeMinutes`), keys.join(", "));
        assert.ok(keys.includes(`${D}.strategy`), keys.join(", "));
        assert.deepEqual(
            configWarnings(parseConfig(stackRaw("dev")))
                .map((w) => w.key)
                .filter((k) => k.startsWith(D)),
            [],
        );
    });

    it("unknown fields of the section and of smokeTest are typos, with a suggestion", () => {
        expectIssue(
            withValue(stackRaw("dev"), "deployment.stratgy", "blue-green"),
            `${D}.stratgy`,
            /did you mean "strategy"/,
        );
        expectIssue(
            withValue(stackRaw("dev"), "deployment.smokeTest.path", ["/x"]),
            `${D}.smokeTest.path`,
            /did you mean "paths"/,
        );
    });
});
