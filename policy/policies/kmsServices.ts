// kms-key-policy-admits-services (stack): a customer KMS key used by an AWS service must admit that
// service in its key policy. CloudWatch publishes alarm notifications to an encrypted SNS topic
// as cloudwatch.amazonaws.com, and CloudWatch Logs encrypts a log group as
// logs.<region>.amazonaws.com: neither acts with the account's IAM permissions, so the default
// key policy (account root only) admits neither. The topic then silently drops every alarm
// notification; the log group cannot be created.
import { PolicyResource } from "@pulumi/policy";
import {
    GuardrailPolicy,
    StackCtx,
    containsUnknown,
    dependsOn,
    describeResource,
    parseJson,
    peekRaw,
    rawTarget,
    stackPolicy,
} from "./lib";

const KEY = "aws:kms/key:Key";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const ALIAS = "aws:kms/alias:Alias";
const TOPIC = "aws:sns/topic:Topic";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ALARM_TYPES = [
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm",
];
const ALARM_ACTION_PROPS = ["alarmActions", "okActions", "insufficientDataActions"];
const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";

/** What a service must be allowed to do with the key (from the SNS and CloudWatch Logs guides). */
export const SNS_PUBLISHER_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"];
export const LOGS_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
];

interface Statement {
    Effect?: string;
    Principal?: unknown;
    Action?: string | string[];
    NotAction?: string | string[];
    Condition?: unknown;
}

function list(v: unknown): string[] {
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
}

function actionMatches(pattern: string, action: string): boolean {
    const re = pattern
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${re}$`, "i").test(action);
}

/** True when the statement's principal is the service (or everyone). `service` may be a RegExp for regional principals. */
function principalIs(principal: unknown, service: string | RegExp): boolean {
    if (principal === "*") {
        return true;
    }
    if (!principal || typeof principal !== "object") {
        return false;
    }
    const p = principal as Record<string, unknown>;
    if (list(p["AWS"]).includes("*")) {
        return true;
    }
    return list(p["Service"]).some((s) =>
        typeof service === "string" ? s === service : service.test(s),
    );
}

function covers(st: Statement, action: string): boolean {
    if (st.Action !== undefined) {
        return list(st.Action).some((a) => actionMatches(a, action));
    }
    return st.NotAction !== undefined && !list(st.NotAction).some((a) => actionMatches(a, action));
}

/**
 * The actions of `actions` the key policy does NOT let `service` perform. No policy (undefined)
 * is the default key policy: the account root only, so every action is missing. An explicit
 * Deny without a condition wins over an Allow; a Deny with a condition cannot be judged here.
 */
export function missingActions(
    policy: unknown,
    service: string | RegExp,
    actions: string[],
): string[] {
    const doc = parseJson(policy) as { Statement?: Statement | Statement[] } | undefined;
    const statements =
        doc && typeof doc === "object"
            ? Array.isArray(doc.Statement)
                ? doc.Statement
                : doc.Statement
                  ? [doc.Statement]
                  : []
            : [];
    return actions.filter((action) => {
        const applies = (effect: string) =>
            statements.filter(
                (st) =>
                    st.Effect === effect &&
                    principalIs(st.Principal, service) &&
                    covers(st, action),
            );
        const denied = applies("Deny").some((st) => st.Condition === undefined);
        return denied || applies("Allow").length === 0;
    });
}

interface KmsUse {
    /** The resource that uses the key. */
    user: PolicyResource;
    property: string;
    key: PolicyResource;
    /** Service principal, as written in a key policy. */
    service: string;
    matcher: string | RegExp;
    actions: string[];
    /** What breaks when the key does not admit the service. */
    consequence: string;
}

/** The stack's customer key a property refers to: directly (ARN/id/dependency) or through an alias. */
function keyOf(
    ctx: StackCtx<unknown>,
    user: PolicyResource,
    prop: string,
): PolicyResource | undefined {
    const keys = ctx.ofType(KEY);
    const direct = keys.find((k) => dependsOn(user, prop, k));
    if (direct) {
        return direct;
    }
    const value = peekRaw(user.props, prop);
    for (const alias of ctx.ofType(ALIAS)) {
        const name = peekRaw(alias.props, "name");
        const named =
            typeof value === "string" &&
            typeof name === "string" &&
            (value === name || value.endsWith(`:${name}`));
        if (named || (user.propertyDependencies?.[prop] ?? []).some((d) => d.urn === alias.urn)) {
            return keys.find((k) => dependsOn(alias, "targetKeyId", k));
        }
    }
    return undefined;
}

/** Services that publish to a topic: CloudWatch for alarms that notify it, EventBridge for rules that target it. */
function topicPublishers(
    ctx: StackCtx<unknown>,
    topic: PolicyResource,
): Array<{ service: string; what: string }> {
    const out: Array<{ service: string; what: string }> = [];
    const alarms = ctx.resources.filter(
        (r) =>
            ALARM_TYPES.includes(r.type) && ALARM_ACTION_PROPS.some((p) => dependsOn(r, p, topic)),
    );
    if (alarms.length > 0) {
        out.push({
            service: "cloudwatch.amazonaws.com",
            what: `CloudWatch alarm notifications (e.g. ${describeResource(alarms[0])}) are silently dropped`,
        });
    }
    const targets = ctx.ofType(EVENT_TARGET).filter((t) => dependsOn(t, "arn", topic));
    if (targets.length > 0) {
        out.push({
            service: "events.amazonaws.com",
            what: `EventBridge deliveries (e.g. ${describeResource(targets[0])}) fail`,
        });
    }
    return out;
}

function uses(ctx: StackCtx<unknown>): KmsUse[] {
    const out: KmsUse[] = [];
    for (const topic of ctx.ofType(TOPIC)) {
        const key = keyOf(ctx, topic, "kmsMasterKeyId");
        for (const p of key ? topicPublishers(ctx, topic) : []) {
            out.push({
                user: topic,
                property: "kmsMasterKeyId",
                key: key!,
                service: p.service,
                matcher: p.service,
                actions: SNS_PUBLISHER_ACTIONS,
                consequence: p.what,
            });
        }
    }
    for (const group of ctx.ofType(LOG_GROUP)) {
        const key = keyOf(ctx, group, "kmsKeyId");
        if (key) {
            out.push({
                user: group,
                property: "kmsKeyId",
                key,
                service: "logs.<region>.amazonaws.com",
                matcher: /^logs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/,
                actions: LOGS_ACTIONS,
                consequence: "CloudWatch Logs refuses to create or write the log group",
            });
        }
    }
    return out;
}

/** The key's effective policy: a separate aws.kms.KeyPolicy wins over the key's own `policy`. */
function keyPolicyOf(ctx: StackCtx<unknown>, key: PolicyResource): unknown {
    const separate = ctx.ofType(KEY_POLICY).find((kp) => dependsOn(kp, "keyId", key));
    return rawTarget((separate ?? key).props)["policy"];
}

export const kmsKeyPolicyAdmitsServices = stackPolicy<Record<string, never>>({
    name: "kms-key-policy-admits-services",
    description:
        "A customer KMS key used by an AWS service admits that service in its key policy: CloudWatch (and EventBridge) for encrypted SNS topics they publish to, CloudWatch Logs for encrypted log groups. The default key policy (account root only) admits no service.",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "observability", anchors: [] },
    config: {},
    validate: (ctx) => {
        const reported = new Set<string>();
        for (const use of uses(ctx)) {
            // One finding per key and service, however many topics or groups share the key.
            const id = `${use.key.urn}|${use.service}`;
            if (reported.has(id)) {
                continue;
            }
            reported.add(id);
            const policy = keyPolicyOf(ctx, use.key);
            if (containsUnknown(policy)) {
                continue;
            }
            const missing = missingActions(policy, use.matcher, use.actions);
            if (missing.length === 0) {
                continue;
            }
            ctx.violation(use.key, {
                property: "policy",
                found:
                    policy === undefined
                        ? undefined
                        : `a key policy without ${use.service} for ${missing.join(", ")}`,
                awsDefault: "the default key policy: the account root only, no service principal",
                expected: `a statement allowing Service ${use.service} ${use.actions.join(", ")}, because ${describeResource(use.user)} uses this key (${use.property}) and otherwise ${use.consequence}`,
                fix: `add { Effect: "Allow", Principal: { Service: "${use.service}" }, Action: [${use.actions.map((a) => `"${a}"`).join(", ")}], Resource: "*" } to the key policy`,
            });
        }
    },
});

export const kmsServicesPolicies: GuardrailPolicy[] = [kmsKeyPolicyAdmitsServices];
