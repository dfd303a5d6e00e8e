import { strict as assert } from "assert";
import { EvalResource } from "./evaluate";
import { tlsAtLeast } from "../policies/cloudflare";
import { T, UNKNOWN, messages, one, res, urnOf } from "./helpers";

const P = "cloudflare-min-tls";
const SETTING = "cloudflare:index/zoneSetting:ZoneSetting";
const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const ZONE = "cloudflare:index/zone:Zone";
const zoneId = "fedcba9876543210fedcba9876543210";
const albDns = "web-alb-1234567890.us-east-1.elb.amazonaws.com";

function setting(id: string, value: unknown, extra: Record<string, unknown> = {}): EvalResource {
    return res(SETTING, `setting-${id}`, { zoneId, settingId: id, value, ...extra });
}

function record(props: Record<string, unknown> = {}, name = "dns-apex"): EvalResource {
    return res(DNS, name, {
        zoneId,
        name: "example.com",
        type: "CNAME",
        content: albDns,
        proxied: true,
        ttl: 1,
        ...props,
    });
}

const good = () => [setting("min_tls_version", "1.2"), setting("ssl", "strict"), record()];

describe("policy: cloudflare-min-tls", () => {
    it("accepts a served zone with min TLS 1.2, strict SSL and a proxied ALB record", async () => {
        assert.deepEqual((await one(P, good())).violations, []);
    });

    it("flags weak settings: min TLS 1.0 and ssl flexible/full", async () => {
        const r = await one(P, [
            setting("min_tls_version", "1.0"),
            setting("ssl", "full"),
            record(),
        ]);
        assert.match(
            messages(r, "setting-min_tls_version")[0],
            /value \(min_tls_version\) is "1\.0"; expected >= "1\.2"/,
        );
        assert.match(
            messages(r, "setting-ssl")[0],
            /value \(ssl\) is "full"; expected one of \["strict"\]/,
        );
    });

    it("flags a served zone that does not set the settings at all (Cloudflare defaults)", async () => {
        const m = messages(await one(P, [record()])).join("\n");
        assert.match(
            m,
            /has no ZoneSetting "min_tls_version" in the stack \(Cloudflare default: 1\.0\)/,
        );
        assert.match(m, /has no ZoneSetting "ssl"/);
    });

    it("flags an ALB record that is not proxied (absent = DNS only), matched by value or by dependency", async () => {
        const absent = record();
        delete absent.props.proxied;
        assert.match(
            messages(
                await one(P, [setting("min_tls_version", "1.2"), setting("ssl", "strict"), absent]),
            )[0],
            /proxied is not set \(AWS default: false/,
        );
        const lbUrn = urnOf(T.lb, "web-alb");
        const byDep = res(
            DNS,
            "dns-www",
            { zoneId, name: "www", type: "CNAME", content: UNKNOWN, proxied: false },
            { propertyDependencies: { content: [lbUrn] } },
        );
        const r = await one(P, [
            res(T.lb, "web-alb", {}),
            setting("min_tls_version", "1.2"),
            setting("ssl", "strict"),
            byDep,
        ]);
        assert.match(messages(r, "dns-www")[0], /proxied is false/);
    });

    it("ignores records that do not point at the load balancer (e.g. ACM validation CNAMEs)", async () => {
        const validation = record(
            { content: "_abc.acm-validations.aws", proxied: false },
            "validation",
        );
        assert.deepEqual((await one(P, [validation])).violations, []);
    });

    it("a Zone resource in the stack must set both, via settings that reference it", async () => {
        const zoneUrn = urnOf(ZONE, "zone");
        const zone = res(ZONE, "zone", { name: "example.com", account: { id: "acc" } });
        const ref = { propertyDependencies: { zoneId: [zoneUrn] } };
        assert.equal((await one(P, [zone])).violations.length, 2);
        const settings = [
            res(
                SETTING,
                "tls",
                { zoneId: UNKNOWN, settingId: "min_tls_version", value: "1.3" },
                ref,
            ),
            res(SETTING, "ssl", { zoneId: UNKNOWN, settingId: "ssl", value: "strict" }, ref),
        ];
        assert.deepEqual((await one(P, [zone, ...settings])).violations, []);
    });

    it("config: minTlsVersion 1.3, allowed SSL modes and proxied requirement change the verdict", async () => {
        assert.equal(
            (await one(P, good(), { [P]: { minTlsVersion: "1.3" } })).violations.length,
            1,
        );
        const full = [setting("min_tls_version", "1.2"), setting("ssl", "full"), record()];
        assert.deepEqual(
            (await one(P, full, { [P]: { allowedSslModes: ["strict", "full"] } })).violations,
            [],
        );
        const unproxied = [
            setting("min_tls_version", "1.2"),
            setting("ssl", "strict"),
            record({ proxied: false }),
        ];
        assert.deepEqual(
            (await one(P, unproxied, { [P]: { requireProxiedOriginRecords: false } })).violations,
            [],
        );
    });

    it("does not judge a setting whose value is unknown during preview", async () => {
        const r = await one(P, [
            setting("min_tls_version", UNKNOWN),
            setting("ssl", "strict"),
            record(),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("compares TLS versions numerically", () => {
        assert.equal(tlsAtLeast("1.3", "1.2"), true);
        assert.equal(tlsAtLeast("1.1", "1.2"), false);
        assert.equal(tlsAtLeast("on", "1.2"), undefined);
    });
});
