// The ALB's target group and its two listeners: HTTPS forwards everything to the app, HTTP only
// redirects to HTTPS. For ECS's blue/green family of releases (components/releaseRules.ts) also a
// second target group, the production listener rule that weights the two, and the test listener
// and rule the smoke-test hook reaches the new revision through. The checks on the target group's
// settings are pure functions run before anything registers; the resources are children of the
// LoadBalancer component (components/loadBalancer.ts), so their URNs are those of the component.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { HealthCheckSettings, LbAlgorithm, StickinessSettings } from "./loadBalancerSettings";
import { elbNaming } from "./physicalNames";

type ListenerAction = aws.types.input.lb.ListenerDefaultAction;

/** TLS 1.3 + 1.2 only, forward-secret ciphers. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
export const HTTP_PORT = 80;
export const HTTPS_PORT = 443;
/**
 * Port of the release test listener. The ALB's security group never opens it to an address
 * range: its only inbound rule admits the smoke-test hook's security group (platform.ts).
 */
export const RELEASE_TEST_PORT = 8443;
/** The production rule is the listener's last rule: every path, after any rule added later. */
export const PRODUCTION_RULE_PRIORITY = 50000;
export const TEST_RULE_PRIORITY = 1;

// ---------------------------------------------------------------------------------------------
// Pure decisions (unit-tested without the engine)
// ---------------------------------------------------------------------------------------------

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

/**
 * A release rule's action: forward to both target groups, the serving one at weight 100 and the
 * alternate at 0. ECS rewrites the weights on every release (and swaps which group serves), so the
 * rules ignore changes to their actions.
 */
export function weightedForwardAction(
    servingArn: pulumi.Input<string>,
    alternateArn: pulumi.Input<string>,
): aws.types.input.lb.ListenerRuleAction {
    return {
        type: "forward",
        forward: {
            targetGroups: [
                { arn: servingArn, weight: 100 },
                { arn: alternateArn, weight: 0 },
            ],
        },
    };
}

/** Every request path: the release rules take all traffic of their listener. */
export const ALL_PATHS: aws.types.input.lb.ListenerRuleCondition = {
    pathPattern: { values: ["/*"] },
};

/** The test listener's default: nothing but its rule serves there. */
export function noReleaseAction(): ListenerAction {
    return {
        type: "fixed-response",
        fixedResponse: {
            contentType: "text/plain",
            messageBody: "no release under test",
            statusCode: "404",
        },
    };
}

/** HTTP listener default action: permanent redirect to the same host/path/query over HTTPS. */
export function httpsRedirectAction(): ListenerAction {
    return {
        type: "redirect",
        redirect: { port: String(HTTPS_PORT), protocol: "HTTPS", statusCode: "HTTP_301" },
    };
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

/** The target group's settings once checked (healthCheckArgs, stickinessArgs, ...). */
export interface TargetGroupDecisions {
    healthCheck: aws.types.input.lb.TargetGroupHealthCheck;
    stickiness: aws.types.input.lb.TargetGroupStickiness;
    slowStart: number | undefined;
    deregistrationDelay: number;
}

export interface AlbTargetGroupArgs {
    /** Component the resources belong to (the LoadBalancer). */
    parent: pulumi.Resource;
    /** The LoadBalancer's name: every resource name starts with it. */
    name: string;
    vpcId: pulumi.Input<string>;
    appPort: number;
    targetType: "ip" | "instance";
    algorithm: LbAlgorithm;
    decided: TargetGroupDecisions;
    tags: Record<string, string>;
}

/** HTTP target group on the app port, health-checked on the traffic port. */
export function createTargetGroup(args: AlbTargetGroupArgs, suffix = "tg"): aws.lb.TargetGroup {
    const name = args.name;
    return new aws.lb.TargetGroup(
        `${name}-${suffix}`,
        {
            ...elbNaming(`${name}-${suffix}`),
            targetType: args.targetType,
            port: args.appPort,
            protocol: "HTTP",
            protocolVersion: "HTTP1",
            vpcId: args.vpcId,
            healthCheck: args.decided.healthCheck,
            deregistrationDelay: args.decided.deregistrationDelay,
            loadBalancingAlgorithmType: args.algorithm,
            stickiness: args.decided.stickiness,
            slowStart: args.decided.slowStart,
            tags: args.tags,
        },
        { parent: args.parent },
    );
}

export interface AlbListenersArgs {
    /** Component the resources belong to (the LoadBalancer). */
    parent: pulumi.Resource;
    /** The LoadBalancer's name: every resource name starts with it. */
    name: string;
    alb: aws.lb.LoadBalancer;
    targetGroup: aws.lb.TargetGroup;
    /** TLS policy of the HTTPS listener; empty means DEFAULT_SSL_POLICY. */
    sslPolicy: string;
    certificateArn: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** HTTPS forwards everything to the target group; HTTP only redirects (301) to HTTPS. */
export function createListeners(args: AlbListenersArgs): {
    https: aws.lb.Listener;
    http: aws.lb.Listener;
} {
    const name = args.name;
    const https = new aws.lb.Listener(
        `${name}-https`,
        {
            loadBalancerArn: args.alb.arn,
            port: HTTPS_PORT,
            protocol: "HTTPS",
            sslPolicy: args.sslPolicy || DEFAULT_SSL_POLICY,
            certificateArn: args.certificateArn,
            defaultActions: [forwardAction(args.targetGroup.arn)],
            tags: args.tags,
        },
        { parent: args.parent },
    );

    const http = new aws.lb.Listener(
        `${name}-http`,
        {
            loadBalancerArn: args.alb.arn,
            port: HTTP_PORT,
            protocol: "HTTP",
            defaultActions: [httpsRedirectAction()],
            tags: args.tags,
        },
        { parent: args.parent },
    );
    return { https, http };
}

export interface ReleaseRoutesArgs extends AlbTargetGroupArgs {
    alb: aws.lb.LoadBalancer;
    /** The serving target group (the listener's default) and the HTTPS listener. */
    targetGroup: aws.lb.TargetGroup;
    https: aws.lb.Listener;
    sslPolicy: string;
    certificateArn: pulumi.Input<string>;
}

/** What ECS's blue/green family needs on the ALB (loadBalancers[].advancedConfiguration). */
export interface ReleaseRoutes {
    /** The second target group: the new revision registers here while the old one serves. */
    alternateTargetGroup: aws.lb.TargetGroup;
    /** On the HTTPS listener: all paths, forward to both groups (100/0 until ECS shifts). */
    productionRule: aws.lb.ListenerRule;
    /** HTTPS on RELEASE_TEST_PORT: reachable only from the smoke-test hook's security group. */
    testListener: aws.lb.Listener;
    /** On the test listener: all paths, forward to both groups; ECS points it at the new revision. */
    testRule: aws.lb.ListenerRule;
}

/**
 * The second target group, the weighted production rule on the HTTPS listener, and the test
 * listener with its rule. ECS rewrites both rules' weights on every release, so their `actions`
 * are ignored after creation. The whole `actions` list is ignored, not the weights alone: a
 * nested path such as `actions[0].forward.targetGroups[*].weight` is not honoured reliably by the
 * provider (pulumi/pulumi-aws#5771, #5772, #5798), and a missed weight would send production
 * traffic back to the idle target group on the next `pulumi up`.
 */
export function createReleaseRoutes(args: ReleaseRoutesArgs): ReleaseRoutes {
    const name = args.name;
    const parent = { parent: args.parent };
    const alternate = createTargetGroup(args, "tg2");
    const drifting = { ...parent, ignoreChanges: ["actions"] };
    const productionRule = new aws.lb.ListenerRule(
        `${name}-production-rule`,
        {
            listenerArn: args.https.arn,
            priority: PRODUCTION_RULE_PRIORITY,
            conditions: [ALL_PATHS],
            actions: [weightedForwardAction(args.targetGroup.arn, alternate.arn)],
            tags: args.tags,
        },
        drifting,
    );
    const testListener = new aws.lb.Listener(
        `${name}-test`,
        {
            loadBalancerArn: args.alb.arn,
            port: RELEASE_TEST_PORT,
            protocol: "HTTPS",
            sslPolicy: args.sslPolicy || DEFAULT_SSL_POLICY,
            certificateArn: args.certificateArn,
            defaultActions: [noReleaseAction()],
            tags: args.tags,
        },
        parent,
    );
    const testRule = new aws.lb.ListenerRule(
        `${name}-test-rule`,
        {
            listenerArn: testListener.arn,
            priority: TEST_RULE_PRIORITY,
            conditions: [ALL_PATHS],
            actions: [weightedForwardAction(args.targetGroup.arn, alternate.arn)],
            tags: args.tags,
        },
        drifting,
    );
    return { alternateTargetGroup: alternate, productionRule, testListener, testRule };
}
