import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type {
    HealthCheckSettings,
    LbAlgorithm,
    LoadBalancerSettings,
    PrefixListCapacity,
    StickinessSettings,
    WafSettings,
} from "./loadBalancerSettings";
import type { ServiceLoadBalancing } from "./scalingServiceArgs";
import { elbNaming } from "./physicalNames";

// The settings types of LoadBalancerArgs, exported with the component.
export type * from "./loadBalancerSettings";

/** Days a deleted or overwritten access-log object stays recoverable. */
export const ACCESS_LOG_NONCURRENT_DAYS = 7;

type ListenerAction = aws.types.input.lb.ListenerDefaultAction;
type WebAclRule = aws.types.input.wafv2.WebAclRule;

export interface LoadBalancerArgs {
    /** VPC of the target group and the ALB's security group. */
    vpcId: pulumi.Input<string>;
    /** Public subnets in at least two AZs. */
    publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Port the app listens on (target group port). */
    appPort: number;
    /** "ip" for Fargate tasks (awsvpc), "instance" for EC2 Auto Scaling instances. */
    targetType: "ip" | "instance";
    /** The target group's health check on the app; AWS's limits are checked before registering. */
    healthCheck: HealthCheckSettings;
    /** The listener, target group, security group and log settings (the origin list capacity is its own arg). */
    settings: LoadBalancerSettings;
    /** The WebACL: its rate rule and managed rule sets, or none when `enabled` is false. */
    waf: WafSettings;
    /** Certificate for the HTTPS listener: the configured ARN or a validated managed certificate. */
    certificateArn: pulumi.Input<string>;
    /**
     * Origin lockdown: when given, 80/443 are admitted only from these ranges (Cloudflare's, as the
     * data source's Output) through two managed prefix lists, instead of settings.ingressCidrs /
     * ingressIpv6Cidrs. @default undefined (no lockdown)
     */
    originRanges?: OriginRanges;
    /**
     * Capacity of the origin prefix lists. Each rule that references a list counts its maxEntries
     * against the security group's inbound-rule quota, so 2 × maxEntries must fit in it per family.
     * @default { ipv4: 25, ipv6: 15 }
     */
    originPrefixListMaxEntries?: PrefixListCapacity;
    /** Header carrying the real client IP for the WAF rate rule.
     *  @default "CF-Connecting-IP" under origin lockdown (every request then comes from a CDN address), else none (source IP) */
    clientIpHeader?: string;
    /** Seconds (30-900) a new target ramps up before getting its full share; round_robin only. @default undefined (off) */
    slowStartSeconds?: number;
    /**
     * Keep the access-log bucket and its objects when the stack lets it go (no force-destroy,
     * `retainOnDelete`). The stack-config layer chooses it per stack (config/lifecycle.ts).
     * @default true
     */
    retainAccessLogs?: boolean;
    /** Tags on the component's resources. */
    tags: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Pure decisions (unit-tested without the engine)
// ---------------------------------------------------------------------------------------------

/** TLS 1.3 + 1.2 only, forward-secret ciphers. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** Key prefix of the access logs inside the bucket (ALB appends AWSLogs/<account>/...). */
export const ACCESS_LOGS_PREFIX = "alb";
/** Default per-family inbound rule quota of a security group. */
export const SG_INBOUND_RULE_QUOTA = 60;
export const HTTP_PORT = 80;
export const HTTPS_PORT = 443;

/** Seconds between a target going dead and the ALB taking it out of rotation (worst case). */
export function detectionSeconds(hc: HealthCheckSettings): number {
    return hc.interval * hc.unhealthyThreshold;
}

/** Seconds before a new target receives traffic once it answers. */
export function recoverySeconds(hc: HealthCheckSettings): number {
    return hc.interval * hc.healthyThreshold;
}

/** Target group health check from config; AWS limits checked so a bad value fails at preview. */
export function healthCheckArgs(
    hc: HealthCheckSettings,
): aws.types.input.lb.TargetGroupHealthCheck {
    const problems: string[] = [];
    if (!hc.path.startsWith("/"))
        problems.push(`path must start with "/" (got ${JSON.stringify(hc.path)})`);
    if (hc.interval < 5 || hc.interval > 300)
        problems.push(`interval must be 5-300 s (got ${hc.interval})`);
    if (hc.timeout < 2 || hc.timeout > 120)
        problems.push(`timeout must be 2-120 s (got ${hc.timeout})`);
    if (hc.timeout >= hc.interval)
        problems.push(`timeout (${hc.timeout}) must be shorter than interval (${hc.interval})`);
    for (const [key, value] of [
        ["healthyThreshold", hc.healthyThreshold],
        ["unhealthyThreshold", hc.unhealthyThreshold],
    ] as const) {
        if (!Number.isInteger(value) || value < 2 || value > 10)
            problems.push(`${key} must be an integer 2-10 (got ${value})`);
    }
    if (problems.length > 0) {
        throw new Error(`healthCheck: ${problems.join("; ")}`);
    }
    return {
        enabled: true,
        path: hc.path,
        port: "traffic-port",
        protocol: "HTTP",
        interval: hc.interval,
        timeout: hc.timeout,
        healthyThreshold: hc.healthyThreshold,
        unhealthyThreshold: hc.unhealthyThreshold,
        matcher: hc.matcher,
    };
}

/** lb_cookie stickiness; stated explicitly when off so a later disable is applied, not ignored. */
export function stickinessArgs(s: StickinessSettings): aws.types.input.lb.TargetGroupStickiness {
    if (!s.enabled) {
        return { type: "lb_cookie", enabled: false };
    }
    if (!Number.isInteger(s.duration) || s.duration < 1 || s.duration > 604800) {
        throw new Error(`loadBalancer.stickiness.duration must be 1-604800 s (got ${s.duration})`);
    }
    return { type: "lb_cookie", enabled: true, cookieDuration: s.duration };
}

/** Slow start: 0/undefined (off) or 30-900 s; AWS refuses it with least_outstanding_requests. */
export function slowStartSeconds(
    algorithm: LbAlgorithm,
    seconds: number | undefined,
): number | undefined {
    if (seconds === undefined || seconds === 0) {
        return undefined;
    }
    if (!Number.isInteger(seconds) || seconds < 30 || seconds > 900) {
        throw new Error(`loadBalancer slow start must be 30-900 s or off (got ${seconds})`);
    }
    if (algorithm === "least_outstanding_requests") {
        throw new Error(
            "loadBalancer: slow start cannot be combined with least_outstanding_requests; use round_robin or turn slow start off",
        );
    }
    return seconds;
}

export function checkDeregistrationDelay(seconds: number): number {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
        throw new Error(`loadBalancer.deregistrationDelay must be 0-3600 s (got ${seconds})`);
    }
    return seconds;
}

/** HTTPS listener default action: everything goes to the app; no path rules answer for it. */
export function forwardAction(targetGroupArn: pulumi.Input<string>): ListenerAction {
    return { type: "forward", targetGroupArn };
}

/** HTTP listener default action: permanent redirect to the same host/path/query over HTTPS. */
export function httpsRedirectAction(): ListenerAction {
    return {
        type: "redirect",
        redirect: { port: String(HTTPS_PORT), protocol: "HTTPS", statusCode: "HTTP_301" },
    };
}

export interface AlbIngressRule {
    /** Stable resource-name suffix, e.g. "https-203-0-113-0-24". */
    key: string;
    port: number;
    cidrIpv4?: string;
    cidrIpv6?: string;
    description: string;
}

/** Resource-name-safe form of a CIDR. */
export function cidrKey(cidr: string): string {
    return cidr
        .toLowerCase()
        .replace(/[^0-9a-z]+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/**
 * Inbound rules of the ALB security group without origin lockdown: 80 and 443 from the configured
 * CIDRs, one rule per (port, CIDR). Under lockdown see originPrefixListRules instead.
 */
export function albIngressRules(
    settings: Pick<LoadBalancerSettings, "ingressCidrs" | "ingressIpv6Cidrs">,
): AlbIngressRule[] {
    const ipv4 = [...new Set(settings.ingressCidrs)];
    const ipv6 = [...new Set(settings.ingressIpv6Cidrs)];
    const source = "configured ingress";
    if (ipv4.length + ipv6.length === 0) {
        throw new Error(
            "loadBalancer.ingressCidrs/ingressIpv6Cidrs are empty; the ALB would admit nobody",
        );
    }
    for (const [family, list] of [
        ["IPv4", ipv4],
        ["IPv6", ipv6],
    ] as const) {
        if (list.length * 2 > SG_INBOUND_RULE_QUOTA) {
            throw new Error(
                `loadBalancer: ${list.length} ${family} CIDRs need ${list.length * 2} inbound rules, ` +
                    `over the default security group quota of ${SG_INBOUND_RULE_QUOTA}; aggregate the CIDRs or raise the quota`,
            );
        }
    }
    const rules: AlbIngressRule[] = [];
    for (const [proto, port] of [
        ["https", HTTPS_PORT],
        ["http", HTTP_PORT],
    ] as const) {
        for (const cidr of ipv4) {
            rules.push({
                key: `${proto}-${cidrKey(cidr)}`,
                port,
                cidrIpv4: cidr,
                description: `${proto.toUpperCase()} from ${source} ${cidr}`,
            });
        }
        for (const cidr of ipv6) {
            rules.push({
                key: `${proto}-${cidrKey(cidr)}`,
                port,
                cidrIpv6: cidr,
                description: `${proto.toUpperCase()} from ${source} ${cidr}`,
            });
        }
    }
    return rules;
}

/** The CDN's published ranges, as the data source's Output (known only at deployment). */
export interface OriginRanges {
    ipv4: pulumi.Input<string[]>;
    ipv6: pulumi.Input<string[]>;
}

/** Room for Cloudflare's ranges (15 IPv4, 7 IPv6 today) to grow; 2 × 25 and 2 × 15 fit the quota of 60. */
export const DEFAULT_ORIGIN_PREFIX_LIST_MAX_ENTRIES: PrefixListCapacity = { ipv4: 25, ipv6: 15 };
/** AWS limit on a customer-managed prefix list's maxEntries. */
export const PREFIX_LIST_MAX_ENTRIES_LIMIT = 1000;

export interface PrefixListRule {
    /** Stable resource-name suffix, e.g. "https-cdn-ipv4". */
    key: string;
    port: number;
    family: "ipv4" | "ipv6";
    description: string;
}

/**
 * Inbound rules under origin lockdown: one rule per port per prefix list (4 in all). AWS counts a
 * referenced prefix list as its maxEntries rules (not its current entries) against the group's
 * inbound quota, per address family; checked here, before anything is registered.
 */
export function originPrefixListRules(
    capacity: PrefixListCapacity = DEFAULT_ORIGIN_PREFIX_LIST_MAX_ENTRIES,
): PrefixListRule[] {
    const ports = [
        ["https", HTTPS_PORT],
        ["http", HTTP_PORT],
    ] as const;
    for (const family of ["ipv4", "ipv6"] as const) {
        const max = capacity[family];
        const key = `loadBalancer originPrefixListMaxEntries.${family}`;
        if (!Number.isInteger(max) || max < 1 || max > PREFIX_LIST_MAX_ENTRIES_LIMIT) {
            throw new Error(
                `${key} must be an integer 1-${PREFIX_LIST_MAX_ENTRIES_LIMIT} (got ${max})`,
            );
        }
        if (max * ports.length > SG_INBOUND_RULE_QUOTA) {
            throw new Error(
                `${key} is ${max}: ${ports.length} rules referencing the list count as ${max * ports.length} inbound rules, ` +
                    `over the default security group quota of ${SG_INBOUND_RULE_QUOTA}; lower it to ${Math.floor(SG_INBOUND_RULE_QUOTA / ports.length)} or less, or raise the quota`,
            );
        }
    }
    return ports.flatMap(([proto, port]) =>
        (["ipv4", "ipv6"] as const).map((family) => ({
            key: `${proto}-cdn-${family}`,
            port,
            family,
            description: `${proto.toUpperCase()} from the CDN's ${family === "ipv4" ? "IPv4" : "IPv6"} origin ranges (prefix list)`,
        })),
    );
}

/**
 * Entries of an origin prefix list. Runs when the data source answers: an empty IPv4 list would
 * shut every visitor out, and more ranges than maxEntries would fail the list's update.
 */
export function prefixListEntries(
    family: "ipv4" | "ipv6",
    cidrs: string[],
    maxEntries: number,
): aws.types.input.ec2.ManagedPrefixListEntry[] {
    const unique = [...new Set(cidrs)].sort();
    if (family === "ipv4" && unique.length === 0) {
        throw new Error(
            "loadBalancer: origin lockdown got no CDN IPv4 ranges; the ALB would admit nobody",
        );
    }
    if (unique.length > maxEntries) {
        throw new Error(
            `loadBalancer: the CDN publishes ${unique.length} ${family} ranges but originPrefixListMaxEntries.${family} is ${maxEntries}; ` +
                `raise it (2 × maxEntries must stay within the security group quota of ${SG_INBOUND_RULE_QUOTA})`,
        );
    }
    return unique.map((cidr) => ({ cidr, description: "CDN origin range" }));
}

export interface AccessLogsPolicyParams {
    bucketArn: string;
    accountId: string;
    /** The region's ELB account (regions opened before Aug 2022); newer regions use the service principal. */
    elbAccountArn?: string;
    prefix?: string;
}

/** Bucket policy: ALB log delivery may write under the prefix; nothing may use plain HTTP. */
export function accessLogsBucketPolicy(p: AccessLogsPolicyParams): aws.iam.PolicyDocument {
    const prefix = p.prefix ?? ACCESS_LOGS_PREFIX;
    const objects = `${p.bucketArn}/${prefix}/AWSLogs/${p.accountId}/*`;
    const statements: aws.iam.PolicyStatement[] = [];
    if (p.elbAccountArn) {
        statements.push({
            Sid: "AllowElbAccountLogDelivery",
            Effect: "Allow",
            Principal: { AWS: p.elbAccountArn },
            Action: "s3:PutObject",
            Resource: objects,
        });
    }
    statements.push(
        {
            Sid: "AllowElbServiceLogDelivery",
            Effect: "Allow",
            Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: objects,
        },
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [p.bucketArn, `${p.bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    );
    return { Version: "2012-10-17", Statement: statements };
}

/** CloudWatch metric name for WAF visibility configs: [A-Za-z0-9_-], at most 128 chars. */
export function wafMetricName(name: string): string {
    return name.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 128);
}

/** Valid evaluation windows of a rate-based rule. */
export const WAF_RATE_WINDOWS = [60, 120, 300, 600];

/** WebACL rules: per-client rate limit first, then the AWS managed groups when enabled. */
export function wafRules(
    waf: WafSettings,
    metricPrefix: string,
    clientIpHeader?: string,
): WebAclRule[] {
    if (!WAF_RATE_WINDOWS.includes(waf.rateWindowSeconds)) {
        throw new Error(
            `waf.rateWindowSeconds must be one of ${WAF_RATE_WINDOWS.join(", ")} (got ${waf.rateWindowSeconds})`,
        );
    }
    if (!Number.isInteger(waf.rateLimit) || waf.rateLimit < 10 || waf.rateLimit > 2_000_000_000) {
        throw new Error(`waf.rateLimit must be an integer 10-2000000000 (got ${waf.rateLimit})`);
    }
    const visibility = (rule: string) => ({
        cloudwatchMetricsEnabled: true,
        sampledRequestsEnabled: true,
        metricName: wafMetricName(`${metricPrefix}-${rule}`),
    });
    const rules: WebAclRule[] = [
        {
            name: "rate-limit-per-client",
            priority: 0,
            action: { block: {} },
            statement: {
                rateBasedStatement: clientIpHeader
                    ? {
                          limit: waf.rateLimit,
                          evaluationWindowSec: waf.rateWindowSeconds,
                          aggregateKeyType: "FORWARDED_IP",
                          // A request without a valid client IP header is not counted rather than pooled.
                          forwardedIpConfig: {
                              headerName: clientIpHeader,
                              fallbackBehavior: "NO_MATCH",
                          },
                      }
                    : {
                          limit: waf.rateLimit,
                          evaluationWindowSec: waf.rateWindowSeconds,
                          aggregateKeyType: "IP",
                      },
            },
            visibilityConfig: visibility("rate-limit"),
        },
    ];
    if (waf.managedRules) {
        const managed = [
            { name: "AWSManagedRulesCommonRuleSet", metric: "common", priority: 10 },
            {
                name: "AWSManagedRulesKnownBadInputsRuleSet",
                metric: "known-bad-inputs",
                priority: 20,
            },
        ];
        for (const group of managed) {
            rules.push({
                name: group.name,
                priority: group.priority,
                overrideAction: { none: {} },
                statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group.name } },
                visibilityConfig: visibility(group.metric),
            });
        }
    }
    return rules;
}

/** The rate rule's client key: explicit header, CF-Connecting-IP under origin lockdown, else source IP. */
export function wafClientIpHeader(
    args: Pick<LoadBalancerArgs, "clientIpHeader" | "originRanges">,
): string | undefined {
    return args.clientIpHeader ?? (args.originRanges ? "CF-Connecting-IP" : undefined);
}

/** An ALB needs subnets in two AZs; one subnet per AZ is the caller's contract. Checked when the
 *  list is known at construction (an Output list comes from Network, which enforces it). */
export function checkAlbSubnets(ids: pulumi.Input<pulumi.Input<string>[]>): void {
    if (!Array.isArray(ids)) {
        return;
    }
    const known = ids.filter((id): id is string => typeof id === "string");
    if (ids.length < 2 || (known.length === ids.length && new Set(known).size < 2)) {
        throw new Error(
            `loadBalancer: an ALB needs public subnets in at least two AZs (got ${ids.length})`,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Component
// ---------------------------------------------------------------------------------------------

/** ALB, HTTPS + redirecting HTTP listeners, target group, security group, access logs, WAF. */
export class LoadBalancer extends pulumi.ComponentResource {
    public readonly alb: aws.lb.LoadBalancer;
    public readonly targetGroup: aws.lb.TargetGroup;
    public readonly httpsListener: aws.lb.Listener;
    public readonly httpListener: aws.lb.Listener;
    public readonly securityGroup: aws.ec2.SecurityGroup;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly dnsName: pulumi.Output<string>;
    public readonly zoneId: pulumi.Output<string>;
    /** "app/<name>/<id>": the LoadBalancer dimension of CloudWatch metrics. */
    public readonly albArnSuffix: pulumi.Output<string>;
    /** "targetgroup/<name>/<id>": the TargetGroup dimension. */
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    /** Resolves only once both listeners exist: ECS refuses a target group without a load balancer. */
    public readonly targetGroupArn: pulumi.Output<string>;
    public readonly logsBucketName: pulumi.Output<string | undefined>;
    public readonly webAclArn: pulumi.Output<string | undefined>;
    private readonly tags: Record<string, string>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:loadBalancer:LoadBalancer", name, {}, opts);
        const s = args.settings;
        const tags = args.tags;
        this.tags = tags;

        // Decide everything up front so bad config fails before any resource registers.
        const healthCheck = healthCheckArgs(args.healthCheck);
        const stickiness = stickinessArgs(s.stickiness);
        const slowStart = slowStartSeconds(s.algorithm, args.slowStartSeconds);
        const deregistrationDelay = checkDeregistrationDelay(s.deregistrationDelay);
        const capacity = args.originPrefixListMaxEntries ?? DEFAULT_ORIGIN_PREFIX_LIST_MAX_ENTRIES;
        const ingress = args.originRanges ? [] : albIngressRules(s);
        const originRules = args.originRanges ? originPrefixListRules(capacity) : [];
        const clientIpHeader = wafClientIpHeader(args);
        const rules = args.waf.enabled ? wafRules(args.waf, name, clientIpHeader) : [];
        checkAlbSubnets(args.publicSubnetIds);

        this.securityGroup = this.createSecurityGroup(name, args, ingress, originRules, capacity);

        const logs = s.accessLogs.enabled ? this.accessLogsBucket(name, args) : undefined;

        this.alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                ...elbNaming(`${name}-alb`),
                loadBalancerType: "application",
                internal: false,
                subnets: args.publicSubnetIds,
                securityGroups: [this.securityGroup.id],
                enableHttp2: true,
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "defensive",
                idleTimeout: s.idleTimeout,
                enableDeletionProtection: s.deletionProtection,
                accessLogs: logs
                    ? { bucket: logs.bucket.bucket, prefix: ACCESS_LOGS_PREFIX, enabled: true }
                    : undefined,
                tags,
            },
            {
                parent: this,
                // AWS checks write access to the bucket when logging is turned on.
                dependsOn: logs ? [logs.policy] : [],
            },
        );

        this.targetGroup = new aws.lb.TargetGroup(
            `${name}-tg`,
            {
                ...elbNaming(`${name}-tg`),
                targetType: args.targetType,
                port: args.appPort,
                protocol: "HTTP",
                protocolVersion: "HTTP1",
                vpcId: args.vpcId,
                healthCheck,
                deregistrationDelay,
                loadBalancingAlgorithmType: s.algorithm,
                stickiness,
                slowStart,
                tags,
            },
            { parent: this },
        );

        const listeners = this.createListeners(name, args);
        this.httpsListener = listeners.https;
        this.httpListener = listeners.http;

        const webAcl = args.waf.enabled ? this.createWaf(name, rules) : undefined;

        this.securityGroupId = this.securityGroup.id;
        this.dnsName = this.alb.dnsName;
        this.zoneId = this.alb.zoneId;
        this.albArnSuffix = this.alb.arnSuffix;
        this.targetGroupArnSuffix = this.targetGroup.arnSuffix;
        this.targetGroupArn = pulumi
            .all([this.targetGroup.arn, this.httpsListener.arn, this.httpListener.arn])
            .apply(([arn]) => arn);
        this.logsBucketName = logs
            ? logs.bucket.bucket
            : pulumi.output<string | undefined>(undefined);
        this.webAclArn = webAcl ? webAcl.arn : pulumi.output<string | undefined>(undefined);

        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            dnsName: this.dnsName,
            zoneId: this.zoneId,
            albArnSuffix: this.albArnSuffix,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            targetGroupArn: this.targetGroupArn,
            logsBucketName: this.logsBucketName,
            webAclArn: this.webAclArn,
        });
    }

    /** How a ScalingService behind this ALB attaches: target group, metric dimensions, listener.
     *  (Security-group access: platform.ts admits the ALB through the service's accessPoints().) */
    public serviceLoadBalancing(): ServiceLoadBalancing {
        return {
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            albArnSuffix: this.albArnSuffix,
            listeners: [this.httpsListener],
        };
    }

    /** HTTPS forwards everything to the target group; HTTP only redirects (301) to HTTPS. */
    private createListeners(
        name: string,
        args: LoadBalancerArgs,
    ): { https: aws.lb.Listener; http: aws.lb.Listener } {
        const https = new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: this.alb.arn,
                port: HTTPS_PORT,
                protocol: "HTTPS",
                sslPolicy: args.settings.sslPolicy || DEFAULT_SSL_POLICY,
                certificateArn: args.certificateArn,
                defaultActions: [forwardAction(this.targetGroup.arn)],
                tags: args.tags,
            },
            { parent: this },
        );

        const http = new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: this.alb.arn,
                port: HTTP_PORT,
                protocol: "HTTP",
                defaultActions: [httpsRedirectAction()],
                tags: args.tags,
            },
            { parent: this },
        );
        return { https, http };
    }

    /** The ALB's group: inbound rules only (per CIDR, or per port per origin prefix list); no egress. */
    private createSecurityGroup(
        name: string,
        args: LoadBalancerArgs,
        ingress: AlbIngressRule[],
        originRules: PrefixListRule[],
        capacity: PrefixListCapacity,
    ): aws.ec2.SecurityGroup {
        const tags = args.tags;
        // Security group: inbound rules as separate resources; no inline egress, so the provider
        // strips AWS's default allow-all egress; the app-port egress comes from allowAccess in platform.ts.
        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: "ALB: HTTP/HTTPS in from admitted CIDRs; out only to the app",
                tags: { ...tags, Name: `${name}-sg` },
            },
            { parent: this },
        );
        for (const rule of ingress) {
            this.tcpIngress(name, securityGroup, rule, {
                cidrIpv4: rule.cidrIpv4,
                cidrIpv6: rule.cidrIpv6,
            });
        }
        if (args.originRanges) {
            this.createOriginRules(name, securityGroup, args.originRanges, capacity, originRules);
        }
        return securityGroup;
    }

    /** Regional WebACL (rate limit, managed rules) attached to the ALB. */
    private createWaf(name: string, rules: WebAclRule[]): aws.wafv2.WebAcl {
        const webAcl = new aws.wafv2.WebAcl(
            `${name}-waf`,
            {
                scope: "REGIONAL",
                description: `Rate limit and managed rules for ${name}`,
                defaultAction: { allow: {} },
                rules,
                visibilityConfig: {
                    cloudwatchMetricsEnabled: true,
                    sampledRequestsEnabled: true,
                    metricName: wafMetricName(`${name}-waf`),
                },
                tags: this.tags,
            },
            { parent: this },
        );
        new aws.wafv2.WebAclAssociation(
            `${name}-waf-assoc`,
            {
                resourceArn: this.alb.arn,
                webAclArn: webAcl.arn,
            },
            { parent: this },
        );
        return webAcl;
    }

    /** Origin lockdown: the CDN's ranges in one prefix list per family, one rule per port per list. */
    private createOriginRules(
        name: string,
        securityGroup: aws.ec2.SecurityGroup,
        ranges: OriginRanges,
        capacity: PrefixListCapacity,
        rules: PrefixListRule[],
    ): void {
        const lists = {
            ipv4: this.originPrefixList(name, "ipv4", ranges.ipv4, capacity.ipv4),
            ipv6: this.originPrefixList(name, "ipv6", ranges.ipv6, capacity.ipv6),
        };
        for (const rule of rules) {
            this.tcpIngress(name, securityGroup, rule, { prefixListId: lists[rule.family].id });
        }
    }

    /** One inbound TCP rule on the ALB's group, from a CIDR or a prefix list. */
    private tcpIngress(
        name: string,
        securityGroup: aws.ec2.SecurityGroup,
        rule: { key: string; port: number; description: string },
        source: Pick<
            aws.vpc.SecurityGroupIngressRuleArgs,
            "cidrIpv4" | "cidrIpv6" | "prefixListId"
        >,
    ): void {
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-sg-in-${rule.key}`,
            {
                securityGroupId: securityGroup.id,
                ipProtocol: "tcp",
                fromPort: rule.port,
                toPort: rule.port,
                ...source,
                description: rule.description,
                tags: this.tags,
            },
            { parent: this },
        );
    }

    private originPrefixList(
        name: string,
        family: "ipv4" | "ipv6",
        cidrs: pulumi.Input<string[]>,
        maxEntries: number,
    ): aws.ec2.ManagedPrefixList {
        return new aws.ec2.ManagedPrefixList(
            `${name}-origin-${family}`,
            {
                name: `${name}-cdn-origin-${family}`,
                addressFamily: family === "ipv4" ? "IPv4" : "IPv6",
                maxEntries,
                entries: pulumi
                    .output(cidrs)
                    .apply((c) => prefixListEntries(family, c, maxEntries)),
                tags: { ...this.tags, Name: `${name}-cdn-origin-${family}` },
            },
            { parent: this },
        );
    }

    /** Private, SSE-S3 (ALB log delivery cannot use SSE-KMS), expiring access-log bucket. */
    private accessLogsBucket(
        name: string,
        args: LoadBalancerArgs,
    ): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
        const days = args.settings.accessLogs.expirationDays;
        if (!Number.isInteger(days) || days < 1) {
            throw new Error(
                `loadBalancer.accessLogs.expirationDays must be a whole number of days >= 1 (got ${days})`,
            );
        }
        const parent = { parent: this };
        const bucket = new aws.s3.Bucket(
            `${name}-logs`,
            {
                // Retained logs: no emptying on destroy, and the bucket outlives the stack.
                forceDestroy: !(args.retainAccessLogs ?? true),
                tags: args.tags,
            },
            { ...parent, retainOnDelete: args.retainAccessLogs ?? true },
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-logs-sse`,
            {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            },
            parent,
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-logs-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            parent,
        );
        const ownership = new aws.s3.BucketOwnershipControls(
            `${name}-logs-ownership`,
            {
                bucket: bucket.id,
                rule: { objectOwnership: "BucketOwnerEnforced" },
            },
            parent,
        );
        // Versioning keeps a deleted or overwritten log recoverable for a week (evidence after an
        // incident); the lifecycle then clears old versions and leftover delete markers.
        const versioning = new aws.s3.BucketVersioning(
            `${name}-logs-versioning`,
            {
                bucket: bucket.id,
                versioningConfiguration: { status: "Enabled" },
            },
            parent,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-logs-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days },
                        noncurrentVersionExpiration: { noncurrentDays: ACCESS_LOG_NONCURRENT_DAYS },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                    {
                        id: "remove-expired-delete-markers",
                        status: "Enabled",
                        filter: {},
                        expiration: { expiredObjectDeleteMarker: true },
                    },
                ],
            },
            { ...parent, dependsOn: [versioning] },
        );
        const elbAccount = aws.elb.getServiceAccountOutput({}, parent);
        const caller = aws.getCallerIdentityOutput({}, parent);
        const policy = new aws.s3.BucketPolicy(
            `${name}-logs-policy`,
            {
                bucket: bucket.id,
                policy: pulumi
                    .all([bucket.arn, caller.accountId, elbAccount.arn])
                    .apply(([bucketArn, accountId, elbAccountArn]) =>
                        JSON.stringify(
                            accessLogsBucketPolicy({ bucketArn, accountId, elbAccountArn }),
                        ),
                    ),
            },
            {
                ...parent,
                // S3 rejects concurrent bucket-config writes; the access block also must exist first.
                dependsOn: [publicAccess, ownership],
            },
        );
        return { bucket, policy };
    }
}
