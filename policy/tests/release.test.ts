// Releases that roll themselves back: blue/green, canary and linear ECS services on alarms
// (ecs-release-rollback), the rolling circuit breaker kept to rolling services, instance refresh
// rollback on alarms (asg-refresh-rollback) and images pinned to one build (ecs-image-pinned).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PackConfig } from "./evaluate";
import { DEFAULT_ALLOWED_TAG_PATTERN, parseImage, unpinnedReason } from "../policies/compute";
import { T, UNKNOWN, messages, one, res, urnOf } from "./helpers";

const stackConfig = (stack: string) =>
    JSON.parse(
        fs.readFileSync(path.join(__dirname, "..", "config", `${stack}.json`), "utf8"),
    ) as PackConfig;

const BLUE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/1a";
const GREEN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/2b";
const OTHER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/admin/3c";
const RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/4d/5e/6f";
const ROLE = "arn:aws:iam::123456789012:role/ecs-infrastructure";

const urns = {
    blue: urnOf(T.tg, "web-blue"),
    green: urnOf(T.tg, "web-green"),
    other: urnOf(T.tg, "admin"),
    rule: urnOf(T.rule, "web-prod-rule"),
    test: urnOf(T.rule, "web-test-rule"),
    alarm: urnOf(T.alarm, "web-5xx"),
};

const tg = (name: string, arn?: string) =>
    res(T.tg, name, { port: 8080, protocol: "HTTP", ...(arn ? { arn } : {}) });

const forwardTo = (...arns: unknown[]) => [
    {
        type: "forward",
        forward: { targetGroups: arns.map((arn, i) => ({ arn, weight: i ? 0 : 100 })) },
    },
];

function rule(
    props: Record<string, unknown> = {},
    name = "web-prod-rule",
    deps: Record<string, string[]> = {},
) {
    return res(
        T.rule,
        name,
        {
            listenerArn: "arn:listener",
            priority: 10,
            arn: RULE,
            actions: forwardTo(BLUE, GREEN),
            ...props,
        },
        { propertyDependencies: deps },
    );
}

const alarm = (name = "web-5xx", props: Record<string, unknown> = {}) =>
    res(T.alarm, name, {
        name: `${name}-alarm`,
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 5,
        evaluationPeriods: 2,
        period: 60,
        ...props,
    });

interface ServiceOpts {
    deploymentConfiguration?: Record<string, unknown>;
    advanced?: Record<string, unknown>;
    lb?: Record<string, unknown>;
    deps?: Record<string, string[]>;
    name?: string;
    [prop: string]: unknown;
}

/** A compliant blue/green service (known ARNs, as during an update or under mocks). */
function service(opts: ServiceOpts = {}) {
    const { deploymentConfiguration, advanced, lb, deps, name, ...props } = opts;
    return res(
        T.ecsService,
        name ?? "web-service",
        {
            desiredCount: 2,
            launchType: "FARGATE",
            deploymentConfiguration: {
                strategy: "BLUE_GREEN",
                bakeTimeInMinutes: "10",
                ...deploymentConfiguration,
            },
            alarms: { enable: true, rollback: true, alarmNames: ["web-5xx-alarm"] },
            loadBalancers: [
                {
                    targetGroupArn: BLUE,
                    containerName: "web",
                    containerPort: 8080,
                    advancedConfiguration: {
                        alternateTargetGroupArn: GREEN,
                        productionListenerRule: RULE,
                        roleArn: ROLE,
                        ...advanced,
                    },
                    ...lb,
                },
            ],
            ...props,
        },
        { propertyDependencies: deps ?? {} },
    );
}

const world = () => [tg("web-blue", BLUE), tg("web-green", GREEN), rule(), alarm()];

describe("policy: ecs-release-rollback", () => {
    const P = "ecs-release-rollback";

    it("accepts blue/green, canary and linear services rolling back on a stack alarm with a bake time", async () => {
        const r = await one(P, [
            ...world(),
            service(),
            service({
                name: "canary",
                deploymentConfiguration: {
                    strategy: "CANARY",
                    canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" },
                },
            }),
            service({
                name: "linear",
                deploymentConfiguration: {
                    strategy: "LINEAR",
                    bakeTimeInMinutes: "5",
                    linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "5" },
                },
            }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.skippedUnknown, []);
    });

    it("accepts a first preview: ARNs unknown, matched through property dependencies", async () => {
        const r = await one(P, [
            tg("web-blue"),
            tg("web-green"),
            rule({ arn: UNKNOWN, actions: forwardTo(UNKNOWN, UNKNOWN) }, "web-prod-rule", {
                actions: [urns.blue, urns.green],
            }),
            alarm(),
            service({
                lb: { targetGroupArn: UNKNOWN },
                advanced: {
                    alternateTargetGroupArn: UNKNOWN,
                    productionListenerRule: UNKNOWN,
                    roleArn: UNKNOWN,
                },
                deps: { loadBalancers: [urns.blue, urns.green, urns.rule] },
            }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.skippedUnknown, []);
    });

    it("flags absent alarms (AWS default: no alarm rollback), alarms without rollback and an empty name list", async () => {
        const r = await one(P, [
            ...world(),
            service({ alarms: undefined }),
            service({
                name: "no-rollback",
                alarms: { enable: true, rollback: false, alarmNames: ["web-5xx-alarm"] },
            }),
            service({ name: "no-names", alarms: { enable: true, rollback: true, alarmNames: [] } }),
        ]);
        assert.match(
            messages(r, "web-service")[0],
            /^aws:ecs\/service:Service "web-service": alarms is not set \(AWS default: none \(a release whose errors or latency rise is not rolled back.*Fix: set alarms: \{ enable: true, rollback: true, alarmNames: \[errorRateAlarm\.name\] \}/,
        );
        assert.match(messages(r, "no-rollback")[0], /alarms\.rollback is false; expected true/);
        assert.match(
            messages(r, "no-names")[0],
            /alarms\.alarmNames is \[\]; expected at least 1 CloudWatch alarm name/,
        );
        assert.equal(r.violations.length, 3);
    });

    it("flags a short or absent bake time; config sets the floor", async () => {
        const short = service({ deploymentConfiguration: { bakeTimeInMinutes: "2" } });
        const absent = service({
            name: "no-bake",
            deploymentConfiguration: { bakeTimeInMinutes: undefined },
        });
        const r = await one(P, [...world(), short, absent]);
        assert.match(
            messages(r, "web-service")[0],
            /deploymentConfiguration\.bakeTimeInMinutes is "2"; expected >= 5 minutes\. Fix: set deploymentConfiguration\.bakeTimeInMinutes: "5"/,
        );
        assert.match(
            messages(r, "no-bake")[0],
            /bakeTimeInMinutes is not set \(AWS default: none \(the old revision is scaled in as soon as production traffic has shifted/,
        );
        const relaxed = await one(P, [...world(), short], { [P]: { minBakeTimeMinutes: 2 } });
        assert.deepEqual(relaxed.violations, []);
        const strict = await one(P, [...world(), service()], { [P]: { minBakeTimeMinutes: 15 } });
        assert.equal(strict.violations.length, 1);
    });

    it("flags an alarm name that no MetricAlarm of the stack has, unless configured off", async () => {
        const typo = service({
            alarms: { enable: true, rollback: true, alarmNames: ["web-5xx-alarm", "web-latency"] },
        });
        const r = await one(P, [...world(), typo]);
        assert.equal(r.violations.length, 1);
        assert.match(
            r.violations[0].message,
            /"web-service": alarms\.alarmNames\[1\] is "web-latency"; expected the name of an aws\.cloudwatch\.MetricAlarm in this stack.*Fix: create the alarm in this stack/,
        );
        const off = await one(P, [...world(), typo], { [P]: { requireAlarmsInStack: false } });
        assert.deepEqual(off.violations, []);
        const two = await one(P, [...world(), service()], { [P]: { minAlarms: 2 } });
        assert.match(messages(two)[0], /expected at least 2 CloudWatch alarm name/);
    });

    it("flags a production listener rule with other actions or other target groups, naming both resources", async () => {
        const auth = rule({
            actions: [
                { type: "authenticate-oidc", authenticateOidc: {} },
                ...forwardTo(BLUE, GREEN),
            ],
        });
        const wide = rule({ actions: forwardTo(BLUE, GREEN, OTHER) });
        const a = await one(P, [
            tg("web-blue", BLUE),
            tg("web-green", GREEN),
            auth,
            alarm(),
            service(),
        ]);
        assert.match(
            messages(a)[0],
            /^aws:ecs\/service:Service "web-service": production listener rule aws:lb\/listenerRule:ListenerRule "web-prod-rule" \(loadBalancers\[0\]\.advancedConfiguration\.productionListenerRule\) has actions of type \["authenticate-oidc","forward"\]; expected forward actions only.*Fix:/,
        );
        const w = await one(P, [
            tg("web-blue", BLUE),
            tg("web-green", GREEN),
            tg("admin", OTHER),
            wide,
            alarm(),
            service(),
        ]);
        assert.match(
            messages(w)[0],
            /forwards to aws:lb\/targetGroup:TargetGroup "admin", outside the service's pair \(aws:lb\/targetGroup:TargetGroup "web-blue", aws:lb\/targetGroup:TargetGroup "web-green"\).*Fix: forward only to the two target groups/,
        );
    });

    it("flags, at preview, a rule that depends on a third target group (identity by dependencies)", async () => {
        const r = await one(P, [
            tg("web-blue"),
            tg("web-green"),
            tg("admin"),
            rule(
                { arn: UNKNOWN, actions: [{ type: "forward", targetGroupArn: UNKNOWN }] },
                "web-prod-rule",
                {
                    actions: [urns.other],
                },
            ),
            alarm(),
            service({
                lb: { targetGroupArn: UNKNOWN },
                advanced: { alternateTargetGroupArn: UNKNOWN, productionListenerRule: UNKNOWN },
                deps: { loadBalancers: [urns.blue, urns.green, urns.rule] },
            }),
        ]);
        assert.equal(r.violations.length, 1);
        assert.match(
            r.violations[0].message,
            /forwards to aws:lb\/targetGroup:TargetGroup "admin"/,
        );
    });

    it("finds the rule through dependencies when its ARN is known only to the service (inputs without outputs)", async () => {
        const deps = { loadBalancers: [urns.blue, urns.green, urns.rule] };
        const noArn = (actions: unknown[]) => rule({ arn: undefined, actions });
        const base = [tg("web-blue", BLUE), tg("web-green", GREEN), alarm()];
        const ok = await one(P, [...base, noArn(forwardTo(BLUE, GREEN)), service({ deps })]);
        assert.deepEqual(ok.violations, []);
        const fixed = noArn([{ type: "fixed-response", fixedResponse: { statusCode: "503" } }]);
        const bad = await one(P, [...base, fixed, service({ deps })]);
        assert.match(
            messages(bad)[0],
            /production listener rule aws:lb\/listenerRule:ListenerRule "web-prod-rule" .*has actions of type \["fixed-response"\]/,
        );
    });

    it("flags a production listener rule outside the stack, unless configured off", async () => {
        const elsewhere = service({ advanced: { productionListenerRule: `${RULE}-elsewhere` } });
        const r = await one(P, [...world(), elsewhere]);
        assert.match(
            messages(r)[0],
            /loadBalancers\[0\]\.advancedConfiguration\.productionListenerRule is ".*-elsewhere"; expected the ARN of an aws\.lb\.ListenerRule in this stack/,
        );
        const off = await one(P, [...world(), elsewhere], {
            [P]: { requireListenerRuleInStack: false },
        });
        assert.deepEqual(off.violations, []);
    });

    it("judges an NLB's production listener (its default actions) like a rule", async () => {
        const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/web/1/2";
        const listener = (actions: unknown[]) =>
            res(T.listener, "web-tcp", {
                port: 443,
                protocol: "TCP",
                arn: LISTENER,
                defaultActions: actions,
            });
        const nlb = service({ advanced: { productionListenerRule: LISTENER } });
        const ok = await one(P, [
            tg("web-blue", BLUE),
            tg("web-green", GREEN),
            alarm(),
            listener(forwardTo(BLUE, GREEN)),
            nlb,
        ]);
        assert.deepEqual(ok.violations, []);
        const wide = await one(P, [
            tg("web-blue", BLUE),
            tg("web-green", GREEN),
            tg("admin", OTHER),
            alarm(),
            listener([{ type: "forward", targetGroupArn: OTHER }]),
            nlb,
        ]);
        assert.match(
            messages(wide)[0],
            /aws:lb\/listener:Listener "web-tcp" .*forwards to aws:lb\/targetGroup:TargetGroup "admin"/,
        );
    });

    it("does not judge rolling services (absent strategy = ROLLING) or other deployment controllers", async () => {
        const r = await one(P, [
            service({ alarms: undefined, deploymentConfiguration: { strategy: "ROLLING" } }),
            service({
                name: "default",
                alarms: undefined,
                deploymentConfiguration: { strategy: undefined },
            }),
            service({
                name: "codedeploy",
                alarms: undefined,
                deploymentController: { type: "CODE_DEPLOY" },
            }),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("skips unknown values during preview, after reporting the other services' findings", async () => {
        const enable = await one(P, [
            ...world(),
            service({ alarms: { enable: UNKNOWN, rollback: true, alarmNames: ["web-5xx-alarm"] } }),
            service({ name: "bad", alarms: undefined }),
        ]);
        assert.equal(enable.skippedUnknown.length, 1);
        assert.match(enable.skippedUnknown[0].message, /alarms\.enable/);
        assert.deepEqual(
            enable.violations.map((v) => v.name),
            ["bad"],
        );
        const bake = await one(P, [
            ...world(),
            service({ deploymentConfiguration: { bakeTimeInMinutes: UNKNOWN }, alarms: undefined }),
        ]);
        assert.match(bake.skippedUnknown[0].message, /bakeTimeInMinutes/);
        assert.match(messages(bake)[0], /"web-service": alarms is not set/);
        const ruleArn = await one(P, [
            ...world(),
            service({ advanced: { productionListenerRule: UNKNOWN } }),
        ]);
        assert.deepEqual(ruleArn.violations, []);
        assert.match(ruleArn.skippedUnknown[0].message, /productionListenerRule/);
    });

    it("an alarm name unknown during preview counts when the service depends on a stack alarm, else skips", async () => {
        const names = { enable: true, rollback: true, alarmNames: [UNKNOWN] };
        const linked = await one(P, [
            ...world(),
            service({ alarms: names, deps: { alarms: [urns.alarm] } }),
        ]);
        assert.deepEqual(linked.violations, []);
        assert.deepEqual(linked.skippedUnknown, []);
        const unlinked = await one(P, [...world(), service({ alarms: names })]);
        assert.deepEqual(unlinked.violations, []);
        assert.match(unlinked.skippedUnknown[0].message, /alarmNames/);
    });

    it("is mandatory in prod.json, advisory in dev.json", async () => {
        const bad = [...world(), service({ alarms: undefined })];
        assert.deepEqual(
            (await one(P, bad, stackConfig("prod"))).violations.map((v) => v.enforcementLevel),
            ["mandatory"],
        );
        assert.deepEqual(
            (await one(P, bad, stackConfig("dev"))).violations.map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });
});

describe("policy: ecs-deployment-circuit-breaker on traffic-shifting services", () => {
    const P = "ecs-deployment-circuit-breaker";

    for (const strategy of ["BLUE_GREEN", "CANARY", "LINEAR"]) {
        it(`does not fire on a ${strategy} service without a breaker (ECS uses it for rolling updates only)`, async () => {
            const r = await one(P, [service({ deploymentConfiguration: { strategy } })]);
            assert.deepEqual(r.violations, []);
            assert.ok(
                r.notApplicable.some((n) => n.reason.includes(`strategy ${strategy}`)),
                JSON.stringify(r.notApplicable),
            );
        });
    }

    it("still requires it on an explicit ROLLING service, and skips an unknown strategy", async () => {
        const rolling = await one(P, [
            service({ deploymentConfiguration: { strategy: "ROLLING" } }),
        ]);
        assert.match(messages(rolling)[0], /deploymentCircuitBreaker is not set/);
        const unknown = await one(P, [service({ deploymentConfiguration: { strategy: UNKNOWN } })]);
        assert.deepEqual(unknown.violations, []);
        assert.equal(unknown.skippedUnknown.length, 1);
    });
});

describe("policy: asg-refresh-rollback", () => {
    const P = "asg-refresh-rollback";
    const asg = (preferences?: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        res(T.asg, "web-asg", {
            minSize: 2,
            maxSize: 6,
            launchTemplate: { id: "lt-1", version: "3" },
            instanceRefresh: {
                strategy: "Rolling",
                ...(preferences ? { preferences } : {}),
            },
            ...extra,
        });
    const good = {
        minHealthyPercentage: 90,
        autoRollback: true,
        alarmSpecification: { alarms: ["web-5xx-alarm"] },
    };

    it("accepts autoRollback with an alarm", async () => {
        assert.deepEqual((await one(P, [asg(good)])).violations, []);
    });

    it("flags autoRollback false and absent (AWS default false), and no alarms (absent or empty)", async () => {
        const off = await one(P, [asg({ ...good, autoRollback: false })]);
        assert.match(
            messages(off)[0],
            /^aws:autoscaling\/group:Group "web-asg": instanceRefresh\.preferences\.autoRollback is false; expected true\. Fix: set instanceRefresh\.preferences\.autoRollback: true/,
        );
        const absent = await one(P, [asg()]);
        assert.deepEqual(
            messages(absent).map((m) => m.split(" is ")[0]),
            [
                'aws:autoscaling/group:Group "web-asg": instanceRefresh.preferences.autoRollback',
                'aws:autoscaling/group:Group "web-asg": instanceRefresh.preferences.alarmSpecification.alarms',
            ],
        );
        assert.match(
            messages(absent)[0],
            /is not set \(AWS default: false \(a failed refresh stops half-way/,
        );
        assert.match(
            messages(absent)[1],
            /is not set \(AWS default: none \(the refresh only fails on instance health checks.*Fix: set instanceRefresh\.preferences\.alarmSpecification: \{ alarms: \[errorRateAlarm\.name\] \}/,
        );
        const empty = await one(P, [asg({ ...good, alarmSpecification: { alarms: [] } })]);
        assert.match(
            messages(empty)[0],
            /alarmSpecification\.alarms is \[\]; expected at least 1 CloudWatch alarm/,
        );
    });

    it("does not judge a group without instanceRefresh (asg-instance-refresh asks for one)", async () => {
        const r = await one(P, [asg(undefined, { instanceRefresh: undefined })]);
        assert.deepEqual(r.violations, []);
        assert.match(r.notApplicable[0].reason, /no instanceRefresh/);
    });

    it("config sets the number of alarms (0: autoRollback alone)", async () => {
        const noAlarms = asg({ autoRollback: true });
        assert.equal((await one(P, [noAlarms])).violations.length, 1);
        assert.deepEqual((await one(P, [noAlarms], { [P]: { minAlarms: 0 } })).violations, []);
        assert.equal((await one(P, [asg(good)], { [P]: { minAlarms: 2 } })).violations.length, 1);
    });

    it("skips unknown settings; an alarm name unknown during preview still counts", async () => {
        assert.equal(
            (await one(P, [asg({ ...good, autoRollback: UNKNOWN })])).skippedUnknown.length,
            1,
        );
        assert.equal(
            (await one(P, [asg({ ...good, alarmSpecification: { alarms: UNKNOWN } })]))
                .skippedUnknown.length,
            1,
        );
        assert.equal(
            (await one(P, [asg(undefined, { instanceRefresh: UNKNOWN })])).skippedUnknown.length,
            1,
        );
        const pending = await one(P, [asg({ ...good, alarmSpecification: { alarms: [UNKNOWN] } })]);
        assert.deepEqual(pending.violations, []);
        assert.deepEqual(pending.skippedUnknown, []);
    });

    it("is mandatory in prod.json, advisory in dev.json", async () => {
        const bad = asg({ autoRollback: false, alarmSpecification: { alarms: ["a"] } });
        assert.equal(
            (await one(P, [bad], stackConfig("prod"))).violations[0].enforcementLevel,
            "mandatory",
        );
        assert.equal(
            (await one(P, [bad], stackConfig("dev"))).violations[0].enforcementLevel,
            "advisory",
        );
    });
});

describe("policy: ecs-image-pinned", () => {
    const P = "ecs-image-pinned";
    const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
    const task = (...images: Array<string | undefined>) =>
        res(T.taskDef, "web-task", {
            family: "web",
            containerDefinitions: JSON.stringify(
                images.map((image, i) => ({ name: `c${i}`, image })),
            ),
        });

    it("accepts digests, semantic versions and git SHAs", async () => {
        const r = await one(P, [
            task(
                `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@${DIGEST}`,
                `nginx:latest@${DIGEST}`,
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/web-platform/app:1.0.0",
                "public.ecr.aws/nginx/nginx:v1.27.3-alpine",
                "registry.example.com:5000/team/app:3f2a9c1",
                "ghcr.io/org/app:sha-3f2a9c1d",
            ),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("flags latest, a missing tag (= latest), floating tags and a malformed digest, naming the container and the fix", async () => {
        const r = await one(P, [
            task(
                "nginx:latest",
                "nginx",
                "registry.example.com:5000/app",
                "nginx:1.27",
                "app:stable",
                "app@sha256:abc",
            ),
        ]);
        const m = messages(r);
        assert.equal(m.length, 6, m.join("\n"));
        assert.match(
            m[0],
            /^aws:ecs\/taskDefinition:TaskDefinition "web-task": containerDefinitions\[c0\]\.image is "nginx:latest"; expected an image pinned to one build \(the tag "latest" moves with every push\)\. Fix: deploy nginx@sha256:<digest> or nginx:<release tag/,
        );
        assert.match(m[1], /\[c1\]\.image is "nginx"; .*no tag, which pulls "latest"/);
        assert.match(m[2], /\[c2\]\.image is "registry\.example\.com:5000\/app"; .*no tag/);
        assert.match(m[3], /\[c3\]\.image is "nginx:1\.27"; .*not of an immutable form/);
        assert.match(m[5], /digest "sha256:abc" is not sha256: followed by 64/);
    });

    it("flags a container without an image", async () => {
        assert.match(messages(await one(P, [task(undefined)]))[0], /\[c0\]\.image is not set/);
    });

    it("config: another tag form, digests only; latest stays refused", async () => {
        const release = task("app:release-42");
        assert.equal((await one(P, [release])).violations.length, 1);
        const cfg = { [P]: { allowedTagPattern: "^release-[0-9]+$" } };
        assert.deepEqual((await one(P, [release], cfg)).violations, []);
        const semver = task("app:1.2.3");
        assert.match(
            messages(await one(P, [semver], { [P]: { requireDigest: true } }))[0],
            /no digest \(config requireDigest/,
        );
        assert.equal(
            (await one(P, [task("app:latest")], { [P]: { allowedTagPattern: ".*" } })).violations
                .length,
            1,
        );
    });

    it("skips container definitions unknown during preview", async () => {
        const r = await one(P, [
            res(T.taskDef, "t", { family: "t", containerDefinitions: UNKNOWN }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
    });

    it("is mandatory in prod.json, advisory in dev.json", async () => {
        const bad = task("nginx:latest");
        assert.equal(
            (await one(P, [bad], stackConfig("prod"))).violations[0].enforcementLevel,
            "mandatory",
        );
        assert.equal(
            (await one(P, [bad], stackConfig("dev"))).violations[0].enforcementLevel,
            "advisory",
        );
    });

    it("parses references: registry port, tag, digest", () => {
        assert.deepEqual(parseImage("registry:5000/a/b:1.2.3@sha256:x"), {
            repository: "registry:5000/a/b",
            tag: "1.2.3",
            digest: "sha256:x",
        });
        assert.deepEqual(parseImage("registry:5000/a"), {
            repository: "registry:5000/a",
            digest: undefined,
        });
        const cfg = { allowedTagPattern: DEFAULT_ALLOWED_TAG_PATTERN, requireDigest: false };
        assert.equal(unpinnedReason("a:2.0.0+build.7", cfg), undefined);
        assert.match(unpinnedReason("a:main", cfg) ?? "", /not of an immutable form/);
    });
});

describe("the repository's stack configs run the release policies", () => {
    const RELEASE = ["ecs-release-rollback", "asg-refresh-rollback", "ecs-image-pinned"];
    const level = (entry: unknown) =>
        typeof entry === "string"
            ? entry
            : (entry as { enforcementLevel?: string } | undefined)?.enforcementLevel;

    it("prod.json makes them mandatory, dev.json advisory", () => {
        const prod = stackConfig("prod") as Record<string, unknown>;
        const dev = stackConfig("dev") as Record<string, unknown>;
        assert.deepEqual(
            RELEASE.map((p) => level(prod[p])),
            ["mandatory", "mandatory", "mandatory"],
        );
        assert.deepEqual(
            RELEASE.map((p) => level(dev[p])),
            ["advisory", "advisory", "advisory"],
        );
    });
});
