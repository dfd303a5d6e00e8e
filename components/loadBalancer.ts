// The LoadBalancer component: an internet-facing ALB with HTTPS + redirecting HTTP listeners, a
// target group, a security group (optionally locked down to the CDN's ranges), access logs and a
// WAF. This file is its public face (args, class, and every helper callers import from here); each
// resource family lives in its own file with its pure decisions, and its resources are children of
// this component:
//   albSecurityGroup.ts  security group, inbound rules, origin prefix lists
//   albAccessLogs.ts     access-log bucket and its policy
//   albListeners.ts      target group, HTTPS and HTTP listeners; with release routes also the second
//                        target group, the production rule and the test listener and rule
//   albWaf.ts            WebACL and its association
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type {
    HealthCheckSettings,
    LoadBalancerSettings,
    PrefixListCapacity,
    WafSettings,
} from "./loadBalancerSettings";
import type { ServiceLoadBalancing } from "./scalingServiceArgs";
import type { AccessPoint } from "./access";
import { elbNaming } from "./physicalNames";
import {
    albIngressRules,
    createAlbSecurityGroup,
    DEFAULT_ORIGIN_PREFIX_LIST_MAX_ENTRIES,
    type OriginRanges,
    originPrefixListRules,
} from "./albSecurityGroup";
import { ACCESS_LOGS_PREFIX, createAccessLogsBucket } from "./albAccessLogs";
import {
    checkDeregistrationDelay,
    createListeners,
    createReleaseRoutes,
    createTargetGroup,
    RELEASE_TEST_PORT,
    type ReleaseRoutes,
    healthCheckArgs,
    slowStartSeconds,
    stickinessArgs,
} from "./albListeners";
import { createWaf, wafClientIpHeader, wafRules } from "./albWaf";

// The settings types of LoadBalancerArgs, exported with the component.
export type * from "./loadBalancerSettings";

// The pure decisions and constants of each resource family, exported with the component.
export {
    type AlbIngressRule,
    albIngressRules,
    cidrKey,
    DEFAULT_ORIGIN_PREFIX_LIST_MAX_ENTRIES,
    type OriginRanges,
    originPrefixListRules,
    PREFIX_LIST_MAX_ENTRIES_LIMIT,
    type PrefixListRule,
    prefixListEntries,
    SG_INBOUND_RULE_QUOTA,
} from "./albSecurityGroup";
export {
    ACCESS_LOG_NONCURRENT_DAYS,
    ACCESS_LOGS_PREFIX,
    type AccessLogsPolicyParams,
    accessLogsBucketPolicy,
} from "./albAccessLogs";
export {
    checkDeregistrationDelay,
    DEFAULT_SSL_POLICY,
    detectionSeconds,
    forwardAction,
    healthCheckArgs,
    HTTP_PORT,
    HTTPS_PORT,
    httpsRedirectAction,
    noReleaseAction,
    PRODUCTION_RULE_PRIORITY,
    RELEASE_TEST_PORT,
    type ReleaseRoutes,
    recoverySeconds,
    slowStartSeconds,
    stickinessArgs,
    TEST_RULE_PRIORITY,
    weightedForwardAction,
} from "./albListeners";
export { WAF_RATE_WINDOWS, wafClientIpHeader, wafMetricName, wafRules } from "./albWaf";

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
    /**
     * Routes for ECS's blue/green, canary and linear releases: a second target group, a production
     * rule on the HTTPS listener weighting the two, and a test listener on RELEASE_TEST_PORT that no
     * address range may reach (the caller admits the smoke-test hook through
     * `releaseTestAccessPoints()`). @default false (rolling releases: one target group, no rules)
     */
    releaseRoutes?: boolean;
    /** Tags on the component's resources. */
    tags: Record<string, string>;
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
    /** With `releaseRoutes`: the second target group, the production and test rules, the test listener. */
    public readonly releaseRoutes?: ReleaseRoutes;
    private readonly baseName: string;
    private readonly tags: Record<string, string>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:loadBalancer:LoadBalancer", name, {}, opts);
        const s = args.settings;
        const tags = args.tags;

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

        // The ALB needs the security group and (with logs) the bucket policy; the listeners need the
        // ALB and the target group; the WebACL attaches to the ALB.
        this.securityGroup = createAlbSecurityGroup({
            parent: this,
            name,
            vpcId: args.vpcId,
            ingress,
            origin: args.originRanges
                ? { ranges: args.originRanges, capacity, rules: originRules }
                : undefined,
            tags,
        });

        const logs = s.accessLogs.enabled
            ? createAccessLogsBucket({
                  parent: this,
                  name,
                  expirationDays: s.accessLogs.expirationDays,
                  retainAccessLogs: args.retainAccessLogs,
                  tags,
              })
            : undefined;

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

        this.targetGroup = createTargetGroup({
            parent: this,
            name,
            vpcId: args.vpcId,
            appPort: args.appPort,
            targetType: args.targetType,
            algorithm: s.algorithm,
            decided: { healthCheck, stickiness, slowStart, deregistrationDelay },
            tags,
        });

        const listeners = createListeners({
            parent: this,
            name,
            alb: this.alb,
            targetGroup: this.targetGroup,
            sslPolicy: s.sslPolicy,
            certificateArn: args.certificateArn,
            tags,
        });
        this.httpsListener = listeners.https;
        this.httpListener = listeners.http;

        this.releaseRoutes = args.releaseRoutes
            ? createReleaseRoutes({
                  parent: this,
                  name,
                  vpcId: args.vpcId,
                  appPort: args.appPort,
                  targetType: args.targetType,
                  algorithm: s.algorithm,
                  decided: { healthCheck, stickiness, slowStart, deregistrationDelay },
                  alb: this.alb,
                  targetGroup: this.targetGroup,
                  https: this.httpsListener,
                  sslPolicy: s.sslPolicy,
                  certificateArn: args.certificateArn,
                  tags,
              })
            : undefined;
        this.baseName = name;
        this.tags = tags;

        const webAcl = args.waf.enabled
            ? createWaf({ parent: this, name, alb: this.alb, rules, tags })
            : undefined;

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
        const r = this.releaseRoutes;
        return {
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            albArnSuffix: this.albArnSuffix,
            // ECS refuses rules and groups it cannot find: the service waits for all of them.
            listeners: r
                ? [this.httpsListener, r.productionRule, r.testListener, r.testRule]
                : [this.httpsListener],
            release: r
                ? {
                      alternateTargetGroupArn: r.alternateTargetGroup.arn,
                      alternateTargetGroupArnSuffix: r.alternateTargetGroup.arnSuffix,
                      productionListenerRuleArn: r.productionRule.arn,
                      testListenerRuleArn: r.testRule.arn,
                      testListenerPort: RELEASE_TEST_PORT,
                  }
                : undefined,
        };
    }

    /**
     * With release routes: the test listener's port on the ALB's group, for the smoke-test hook
     * (platform.ts admits it with allowAccess; no other rule ever opens the port). Else none.
     */
    public releaseTestAccessPoints(): AccessPoint[] {
        if (!this.releaseRoutes) {
            return [];
        }
        return [
            {
                owner: this,
                namePrefix: `${this.baseName}-test-listener`,
                securityGroupId: this.securityGroup.id,
                port: RELEASE_TEST_PORT,
                service: "release test listener",
                tags: this.tags,
            },
        ];
    }
}
