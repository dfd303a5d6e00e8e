// ecs-release-rollback (stack): an ECS service released blue/green, canary or linear rolls back on
// CloudWatch alarms of this stack, bakes long enough for them to see the new revision, and shifts
// traffic on a production listener rule that forwards only to its own two target groups. Alarm
// names, rule and target group ARNs are matched by known value, else through property dependencies
// (ARNs are unknown during a first preview); what still cannot be told is skipped as unknown.
import { PolicyResource } from "@pulumi/policy";
import {
    StackCtx,
    bool,
    dependsOn,
    describeResource,
    fmt,
    int,
    isUnknownMarker,
    ofTypes,
    peekRaw,
    rawTarget,
    stackPolicy,
} from "../lib";
import { LISTENER_TYPES, RULE_TYPES, TG_TYPES } from "../alb/facts";

const SERVICE = "aws:ecs/service:Service";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** The deployment strategies that shift traffic between two revisions (the circuit breaker does not apply). */
export const RELEASE_STRATEGIES = ["BLUE_GREEN", "CANARY", "LINEAR"];

interface ReleaseConfig {
    minBakeTimeMinutes: number;
    minAlarms: number;
    requireAlarmsInStack: boolean;
    requireListenerRuleInStack: boolean;
}

type Ctx = StackCtx<ReleaseConfig>;
type Path = Array<string | number>;

/** A reference read without the unknown check, with where it sits in the resource's props. */
interface Ref {
    value: unknown;
    path: Path;
}

/** Read props along `path` through the engine's proxy: throws the engine's unknown error when a value on the way is unknown. */
function touch(props: Record<string, unknown>, path: Path): void {
    let v: unknown = props;
    for (const key of path) {
        if (v === undefined || v === null || typeof v !== "object") {
            return;
        }
        v = (v as Record<string | number, unknown>)[key];
    }
}

/** The raw value at `path` (unknown markers kept as they are). */
function rawAt(props: Record<string, unknown>, path: Path): unknown {
    let v: unknown = rawTarget(props);
    for (const key of path) {
        if (v === undefined || v === null || typeof v !== "object") {
            return undefined;
        }
        v = rawTarget(v as Record<string, unknown>)[key as string];
    }
    return v;
}

/** Elements of a raw list at `path`; an unknown list is one unknown reference. */
function refsAt(props: Record<string, unknown>, path: Path): Ref[] {
    const v = rawAt(props, path);
    if (isUnknownMarker(v)) {
        return [{ value: v, path }];
    }
    return Array.isArray(v) ? v.map((value, i) => ({ value, path: [...path, i] })) : [];
}

function known(v: unknown): string | undefined {
    return typeof v === "string" && !isUnknownMarker(v) ? v : undefined;
}

function hasIdentity(r: PolicyResource, value: string): boolean {
    return ["arn", "id"].some((k) => peekRaw(r.props, k) === value);
}

/** The reference at `path`, read raw. */
function refAt(props: Record<string, unknown>, path: Path): Ref {
    return { value: rawAt(props, path), path };
}

/**
 * The target groups `refs` name, as identities: a stack target group's URN, or `arn:<value>` for a
 * known ARN of none. Unknown references resolve through the holder's dependencies on target groups
 * (`prop`); when that is not possible either, the unknown value is read (the policy skips).
 */
function targetGroupIds(
    ctx: Ctx,
    holder: PolicyResource,
    prop: string,
    refs: Ref[],
): Set<string> | undefined {
    const tgs = ofTypes(ctx, TG_TYPES);
    const ids = new Set<string>();
    const unknown = refs.filter((r) => isUnknownMarker(r.value));
    for (const r of refs) {
        const v = known(r.value);
        if (v !== undefined) {
            ids.add(tgs.find((tg) => hasIdentity(tg, v))?.urn ?? `arn:${v}`);
        }
    }
    if (unknown.length > 0) {
        const deps = tgs.filter((tg) => dependsOn(holder, prop, tg));
        if (deps.length === 0) {
            touch(holder.props, unknown[0].path);
            return undefined;
        }
        deps.forEach((tg) => ids.add(tg.urn));
    }
    return ids;
}

function tgLabel(ctx: Ctx, id: string): string {
    const tg = ctx.byUrn(id);
    return tg ? describeResource(tg) : id.replace(/^arn:/, "");
}

/** Alarm rollback: enabled, rolling back, with enough alarm names. */
function checkAlarms(ctx: Ctx, svc: PolicyResource): void {
    const alarms = svc.props["alarms"] as
        { enable?: boolean; rollback?: boolean; alarmNames?: string[] } | undefined;
    const fix =
        "set alarms: { enable: true, rollback: true, alarmNames: [errorRateAlarm.name] } (MetricAlarms of this stack on the service's errors and latency)";
    if (alarms === undefined) {
        ctx.violation(svc, {
            property: "alarms",
            found: undefined,
            awsDefault:
                "none (a release whose errors or latency rise is not rolled back; the bake time passes unwatched)",
            expected: "{ enable: true, rollback: true, alarmNames: [...] }",
            fix,
        });
        return;
    }
    for (const key of ["enable", "rollback"] as const) {
        if (alarms[key] !== true) {
            ctx.violation(svc, {
                property: `alarms.${key}`,
                found: alarms[key],
                expected: "true",
                fix,
            });
        }
    }
    const names = refsAt(svc.props, ["alarms", "alarmNames"]);
    if (names.length < ctx.config.minAlarms && !names.some((n) => isUnknownMarker(n.value))) {
        ctx.violation(svc, {
            property: "alarms.alarmNames",
            found: rawAt(svc.props, ["alarms", "alarmNames"]),
            expected: `at least ${ctx.config.minAlarms} CloudWatch alarm name(s)`,
            fix,
        });
    }
}

/** Every alarm name is a MetricAlarm of this stack (names unknown during preview: by dependencies). */
function checkAlarmsInStack(ctx: Ctx, svc: PolicyResource): void {
    if (!ctx.config.requireAlarmsInStack || rawAt(svc.props, ["alarms"]) === undefined) {
        return;
    }
    const names = refsAt(svc.props, ["alarms", "alarmNames"]);
    const stackAlarms = ctx.ofType(ALARM);
    const unknownNames = names.filter((n) => isUnknownMarker(n.value));
    for (const n of names) {
        const name = known(n.value);
        if (name === undefined || stackAlarms.some((a) => peekRaw(a.props, "name") === name)) {
            continue;
        }
        // An alarm of the stack whose name is not known yet might be this one.
        const pending = stackAlarms.find((a) => isUnknownMarker(rawAt(a.props, ["name"])));
        if (pending) {
            touch(pending.props, ["name"]);
        }
        ctx.violation(svc, {
            property: `alarms.alarmNames[${n.path[n.path.length - 1]}]`,
            found: name,
            expected:
                "the name of an aws.cloudwatch.MetricAlarm in this stack (an alarm that does not exist never fires, so nothing rolls back)",
            fix: "create the alarm in this stack and pass its .name (or set requireAlarmsInStack: false for alarms managed elsewhere)",
        });
    }
    // Names unknown during preview: alarms of this stack when the service depends on that many.
    const alarmDeps = stackAlarms.filter((a) => dependsOn(svc, "alarms", a));
    if (unknownNames.length > alarmDeps.length) {
        touch(svc.props, unknownNames[0].path);
    }
}

function checkBakeTime(ctx: Ctx, svc: PolicyResource, bake: unknown): void {
    const min = ctx.config.minBakeTimeMinutes;
    const minutes = bake === undefined || bake === "" ? undefined : Number(bake);
    if (minutes === undefined || !Number.isFinite(minutes) || minutes < min) {
        ctx.violation(svc, {
            property: "deploymentConfiguration.bakeTimeInMinutes",
            found: bake,
            awsDefault:
                "none (the old revision is scaled in as soon as production traffic has shifted: nothing left to roll back to)",
            expected: `>= ${min} minutes`,
            fix: `set deploymentConfiguration.bakeTimeInMinutes: "${Math.max(min, 1)}" or more, so the alarms watch the new revision while the old one can still take the traffic back`,
        });
    }
}

interface Action {
    type?: string;
}

/** A listener rule, or a listener (an NLB's production "rule" is its listener): where its actions are. */
interface Router {
    res: PolicyResource;
    actionsProp: "actions" | "defaultActions";
}

/** The production listener rules of one load balancer entry (several when only dependencies can tell). */
function productionRules(
    ctx: Ctx,
    svc: PolicyResource,
    i: number,
): { rules: Router[]; byDependency: boolean } | undefined {
    const at: Path = ["loadBalancers", i, "advancedConfiguration"];
    const rules: Router[] = ofTypes(ctx, RULE_TYPES).map((r) => ({
        res: r,
        actionsProp: "actions",
    }));
    const listeners: Router[] = ofTypes(ctx, LISTENER_TYPES).map((r) => ({
        res: r,
        actionsProp: "defaultActions",
    }));
    const prodPath = [...at, "productionListenerRule"];
    const prod = rawAt(svc.props, prodPath);
    if (prod === undefined) {
        return undefined; // no production rule: ECS rejects the service, nothing to judge
    }
    const prodArn = known(prod);
    const byValue = [...rules, ...listeners].find(
        (r) => prodArn !== undefined && hasIdentity(r.res, prodArn),
    );
    if (byValue) {
        return { rules: [byValue], byDependency: false };
    }
    // By dependency: the rules (an NLB: listeners) the service's loadBalancers depend on, except
    // the test rule and any whose known ARN is another.
    const testArn = known(rawAt(svc.props, [...at, "testListenerRule"]));
    const linked = (list: Router[]) =>
        list.filter(
            (r) =>
                dependsOn(svc, "loadBalancers", r.res) &&
                (testArn === undefined || !hasIdentity(r.res, testArn)) &&
                (prodArn === undefined || known(peekRaw(r.res.props, "arn")) === undefined),
        );
    const byRule = linked(rules);
    const candidates = byRule.length > 0 ? byRule : linked(listeners);
    if (candidates.length > 0) {
        return { rules: candidates, byDependency: candidates.length > 1 };
    }
    if (prodArn === undefined) {
        touch(svc.props, prodPath);
    } else if (ctx.config.requireListenerRuleInStack) {
        ctx.violation(svc, {
            property: `loadBalancers[${i}].advancedConfiguration.productionListenerRule`,
            found: prodArn,
            expected:
                "the ARN of an aws.lb.ListenerRule in this stack (a rule managed elsewhere can forward anywhere)",
            fix: "create the production listener rule in this stack and pass rule.arn (or set requireListenerRuleInStack: false)",
        });
    }
    return undefined;
}

/** The production listener rule forwards only, and only to the entry's two target groups. */
function checkListenerRule(ctx: Ctx, svc: PolicyResource, i: number): void {
    const at: Path = ["loadBalancers", i, "advancedConfiguration"];
    touch(svc.props, at);
    if (rawAt(svc.props, at) === undefined) {
        return;
    }
    const found = productionRules(ctx, svc, i);
    if (!found) {
        return;
    }
    const pair = targetGroupIds(ctx, svc, "loadBalancers", [
        refAt(svc.props, ["loadBalancers", i, "targetGroupArn"]),
        refAt(svc.props, [...at, "alternateTargetGroupArn"]),
    ]);
    if (pair === undefined) {
        return;
    }
    const where = `loadBalancers[${i}].advancedConfiguration.productionListenerRule`;
    for (const { res: rule, actionsProp } of found.rules) {
        const what = found.byDependency
            ? `listener rule ${describeResource(rule)} (one of the rules ${where} may name: the service depends on each)`
            : `production listener rule ${describeResource(rule)} (${where})`;
        const actions = (rule.props[actionsProp] as Action[] | undefined) ?? [];
        const types = actions.map((a) => a.type ?? "?");
        const others = types.filter((t) => t !== "forward");
        if (others.length > 0) {
            ctx.report(
                svc,
                `${describeResource(svc)}: ${what} has actions of type ${fmt(types)}; expected forward actions only (ECS shifts traffic by rewriting the rule's forward weights; a redirect, fixed response or authentication step would take the release out of its control). Fix: give the rule a single forward action to the service's two target groups and move other actions to their own rules.`,
            );
        }
        const refs: Ref[] = [];
        actions.forEach((a, j) => {
            if (a.type !== "forward") {
                return;
            }
            const simple = refAt(rule.props, [actionsProp, j, "targetGroupArn"]);
            if (simple.value !== undefined) {
                refs.push(simple);
            }
            for (const w of refsAt(rule.props, [actionsProp, j, "forward", "targetGroups"])) {
                refs.push(isUnknownMarker(w.value) ? w : refAt(rule.props, [...w.path, "arn"]));
            }
        });
        const targets = targetGroupIds(ctx, rule, actionsProp, refs);
        if (targets === undefined) {
            continue;
        }
        const foreign = [...targets].filter((id) => !pair.has(id));
        if (foreign.length > 0) {
            ctx.report(
                svc,
                `${describeResource(svc)}: ${what} forwards to ${foreign.map((id) => tgLabel(ctx, id)).join(", ")}, outside the service's pair (${[...pair].map((id) => tgLabel(ctx, id)).join(", ")}); expected forwarding only to loadBalancers[${i}].targetGroupArn and advancedConfiguration.alternateTargetGroupArn (traffic sent elsewhere is never shifted, and never rolled back). Fix: forward only to the two target groups in the rule's forward.targetGroups and serve other targets from other rules.`,
            );
        }
    }
}

/** True for a service released by traffic shifting (ECS controller, BLUE_GREEN/CANARY/LINEAR). */
function isRelease(svc: PolicyResource): boolean {
    const controller =
        (svc.props["deploymentController"] as { type?: string } | undefined)?.type ?? "ECS";
    const dc = svc.props["deploymentConfiguration"] as { strategy?: string } | undefined;
    return controller === "ECS" && RELEASE_STRATEGIES.includes(dc?.strategy ?? "ROLLING");
}

export const ecsReleaseRollback = stackPolicy<ReleaseConfig>({
    name: "ecs-release-rollback",
    description:
        "ECS services released blue/green, canary or linear roll back on CloudWatch alarms of this stack, bake long enough for the alarms to judge, and shift traffic on a production listener rule that forwards only to the service's two target groups.",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "availability", anchors: [] },
    config: {
        minBakeTimeMinutes: int(
            5,
            "Shortest deploymentConfiguration.bakeTimeInMinutes: how long both revisions run after production traffic has shifted, while the alarms can still roll back.",
            { minimum: 0, maximum: 1440 },
        ),
        minAlarms: int(1, "Fewest alarm names in alarms.alarmNames.", { minimum: 1 }),
        requireAlarmsInStack: bool(
            true,
            "Every name in alarms.alarmNames is an aws.cloudwatch.MetricAlarm of this stack (false: names are not looked up).",
        ),
        requireListenerRuleInStack: bool(
            true,
            "A production listener rule that is not an aws.lb.ListenerRule of this stack is reported (false: it is not judged).",
        ),
    },
    validate: (ctx) => {
        // A value unknown during preview skips the policy (as the engine does), but only after
        // every check that can be judged has run: the first such error is rethrown at the end.
        let unknown: unknown;
        const attempt = (fn: () => void) => {
            try {
                fn();
            } catch (e) {
                unknown ??= e;
            }
        };
        for (const svc of ctx.ofType(SERVICE)) {
            attempt(() => {
                if (!isRelease(svc)) {
                    return;
                }
                const dc = svc.props["deploymentConfiguration"] as { bakeTimeInMinutes?: string };
                attempt(() => checkBakeTime(ctx, svc, dc.bakeTimeInMinutes));
                attempt(() => checkAlarms(ctx, svc));
                const lbs = (svc.props["loadBalancers"] as unknown[] | undefined) ?? [];
                lbs.forEach((_, i) => attempt(() => checkListenerRule(ctx, svc, i)));
                attempt(() => checkAlarmsInStack(ctx, svc));
            });
        }
        if (unknown !== undefined) {
            throw unknown;
        }
    },
});
