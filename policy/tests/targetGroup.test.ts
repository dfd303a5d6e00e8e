import { strict as assert } from "assert";
import { effectiveHealthCheck } from "../policies/targetGroup";
import { T, UNKNOWN, messages, one, res } from "./helpers";

const P = "target-group-health-check";

function tg(healthCheck: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) {
    return res(T.tg, "web-tg", {
        port: 8080,
        protocol: "HTTP",
        targetType: "ip",
        ...(healthCheck ? { healthCheck } : {}),
        ...extra,
    });
}

const good = {
    enabled: true,
    path: "/health",
    interval: 10,
    timeout: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
};

describe("policy: target-group-health-check", () => {
    it("accepts 10 s x 3 with a 5 s timeout (30 s to detect a dead target)", async () => {
        assert.deepEqual((await one(P, [tg(good)])).violations, []);
    });

    it("flags the design documents' 30 s x 3 health check: 90 s to detect", async () => {
        const r = await one(P, [tg({ ...good, interval: 30, unhealthyThreshold: 3 })]);
        const m = messages(r);
        assert.equal(m.length, 1);
        assert.match(m[0], /is 90; expected <= 30 s; here 30 s \(set\) x 3 \(set\) = 90 s/);
    });

    it("flags a missing healthCheck block: the ELB API defaults (30 s, unhealthy 2) take 60 s", async () => {
        const m = messages(await one(P, [tg(undefined)])).join("\n");
        assert.match(m, /30 s \(AWS default\) x 2 \(AWS default\) = 60 s/);
        assert.match(m, /AWS default/);
    });

    it("uses the provider's defaults for fields missing from a block (healthy 3, unhealthy 3, interval 30)", () => {
        const hc = effectiveHealthCheck({ protocol: "HTTP", healthCheck: { path: "/health" } });
        assert.deepEqual(
            [hc.interval, hc.timeout, hc.healthyThreshold, hc.unhealthyThreshold],
            [30, 6, 3, 3],
        );
        assert.equal(hc.source.interval, "provider default");
    });

    it("flags disabled health checks", async () => {
        const r = await one(P, [tg({ ...good, enabled: false })]);
        assert.match(messages(r)[0], /healthCheck\.enabled is false/);
    });

    it("flags a timeout not below the interval, an out-of-range interval and thresholds", async () => {
        const m = messages(
            await one(P, [
                tg({
                    ...good,
                    interval: 5,
                    timeout: 5,
                    healthyThreshold: 10,
                    unhealthyThreshold: 2,
                }),
            ]),
        ).join("\n");
        assert.match(m, /healthCheck\.timeout is 5; expected below the interval \(5 s\)/);
        assert.match(m, /healthyThreshold is 10/);
        const slow = messages(
            await one(P, [tg({ ...good, interval: 60, timeout: 5, unhealthyThreshold: 2 })]),
        ).join("\n");
        assert.match(slow, /healthCheck\.interval is 60; expected 5-30 s/);
    });

    it("config can widen the detection budget and the interval range", async () => {
        const seed = tg({ ...good, interval: 30, unhealthyThreshold: 3 });
        const r = await one(P, [seed], { [P]: { maxDetectionSeconds: 90 } });
        assert.deepEqual(r.violations, []);
        const strict = await one(P, [tg(good)], { [P]: { maxIntervalSeconds: 5 } });
        assert.deepEqual(
            messages(strict).map((m) => /healthCheck\.interval is 10; expected 5-5 s/.test(m)),
            [true],
        );
    });

    it("rejects config outside the schema (maxDetectionSeconds below its minimum)", async () => {
        await assert.rejects(
            one(P, [tg(good)], { [P]: { maxDetectionSeconds: 1 } }),
            /maxDetectionSeconds: 1 is below the minimum 10/,
        );
    });

    it("does not judge lambda target groups and checks the legacy alias type", async () => {
        const lambda = res(T.tg, "fn-tg", { targetType: "lambda" });
        assert.deepEqual((await one(P, [lambda])).violations, []);
        const legacy = res("aws:alb/targetGroup:TargetGroup", "legacy-tg", {
            port: 80,
            protocol: "HTTP",
        });
        assert.equal((await one(P, [legacy])).violations.length, 1);
    });

    it("skips a target group whose interval is unknown during preview", async () => {
        const r = await one(P, [tg({ ...good, interval: UNKNOWN })]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
    });
});
