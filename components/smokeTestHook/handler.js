// Smoke test of a new service revision, as an Amazon ECS deployment lifecycle hook
// (POST_TEST_TRAFFIC_SHIFT): the test listener's rule already forwards to the new ("green") tasks,
// production traffic does not reach them yet. Every smoke path is requested through the ALB's test
// listener; the answer to ECS decides the release:
//   SUCCEEDED    every path answered the expected status
//   FAILED       any miss: another status, a timeout, a refused or reset connection, a TLS error;
//                ECS then rolls the release back to the previous revision
//   IN_PROGRESS  the new tasks are still starting (503: the ALB has no healthy target yet); ECS
//                invokes the hook again after `callBackDelay` seconds, at most SMOKE_MAX_ATTEMPTS times
//                (the attempt count travels in `hookDetails`), then FAILED.
//
// The test listener's port is open only to this function's security group, so the requests go to
// the ALB's private addresses from inside the VPC (an internet-facing ALB's DNS name resolves to
// public addresses, which the VPC would reach through NAT, from an address the group does not
// admit). The addresses come from the EC2 API (DescribeNetworkInterfaces, the ALB's interfaces are
// described "ELB app/<name>/<id>"), signed here with Signature Version 4: plain Node.js, no
// dependencies (Lambda runtime nodejs22.x, CommonJS, handler "handler.handler").
"use strict";

const crypto = require("node:crypto");
const http = require("node:http");
const https = require("node:https");

const USER_AGENT = "web-platform-smoke-test/1";
const EC2_API_VERSION = "2016-11-15";
const LOOKUP_TIMEOUT_MS = 8000;
/** Bytes of a response body kept for the log. */
const BODY_SAMPLE = 200;

/** A number from the environment, or the default when unset or not a number. */
function num(value, fallback) {
    const n = Number(value);
    return value === undefined || value === "" || !Number.isFinite(n) ? fallback : n;
}

/**
 * The hook's settings from its environment (set by the program: components/releaseHook.ts).
 * TEST_TARGET_ADDRESS and TEST_LISTENER_PROTOCOL exist for tests against a local server; the
 * program sets neither, so the function always looks the ALB up and speaks HTTPS.
 */
function settingsFromEnv(env = process.env) {
    let paths = ["/health"];
    if (env.SMOKE_PATHS) {
        const parsed = JSON.parse(env.SMOKE_PATHS);
        if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === "string")) {
            throw new Error("SMOKE_PATHS must be a JSON list of paths");
        }
        paths = parsed;
    }
    return {
        paths,
        expectedStatus: num(env.SMOKE_EXPECTED_STATUS, 200),
        timeoutMs: num(env.SMOKE_TIMEOUT_SECONDS, 5) * 1000,
        maxAttempts: num(env.SMOKE_MAX_ATTEMPTS, 10),
        retryDelaySeconds: num(env.SMOKE_RETRY_DELAY_SECONDS, 30),
        port: num(env.TEST_LISTENER_PORT, 8443),
        protocol: env.TEST_LISTENER_PROTOCOL === "http" ? "http" : "https",
        hostname: env.TEST_HOSTNAME || undefined,
        albArnSuffix: env.ALB_ARN_SUFFIX || undefined,
        targetAddress: env.TEST_TARGET_ADDRESS || undefined,
        region: env.AWS_REGION || env.AWS_DEFAULT_REGION,
    };
}

/** Attempts already made in this release: ECS hands back the `hookDetails` of an IN_PROGRESS answer. */
function previousAttempts(event) {
    let details = event && event.hookDetails;
    if (typeof details === "string") {
        try {
            details = JSON.parse(details);
        } catch {
            details = undefined;
        }
    }
    const n = details && Number(details.attempt);
    return Number.isInteger(n) && n > 0 ? n : 0;
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/**
 * One request, resolved (never rejected) with its status and a body sample, or the error that
 * ended it. The whole answer must arrive within `timeoutMs`.
 */
function request(options, body, timeoutMs) {
    const client = options.protocol === "http:" ? http : https;
    return new Promise((resolve) => {
        let settled = false;
        let timer;
        const done = (result) => {
            if (!settled) {
                settled = true;
                clearTimeout(timer);
                resolve(result);
            }
        };
        const req = client.request(options, (res) => {
            const chunks = [];
            let size = 0;
            res.on("data", (chunk) => {
                if (size < 64 * 1024) {
                    chunks.push(chunk);
                    size += chunk.length;
                }
            });
            res.on("end", () =>
                done({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }),
            );
            res.on("error", (error) => done({ error }));
        });
        timer = setTimeout(() => {
            const error = new Error(`no complete answer within ${timeoutMs} ms`);
            error.code = "ETIMEDOUT";
            done({ error });
            req.destroy(error);
        }, timeoutMs);
        req.on("error", (error) => done({ error }));
        req.end(body);
    });
}

/** The request for one smoke path through the test listener at `address`. */
function smokeRequestOptions(settings, address, path) {
    const host = settings.hostname || address;
    return {
        protocol: `${settings.protocol}:`,
        host: address,
        port: settings.port,
        path,
        method: "GET",
        // The certificate is checked against the host name, not the address we connect to.
        servername: settings.hostname,
        headers: { Host: host, "User-Agent": USER_AGENT, Accept: "*/*" },
        agent: false,
    };
}

/** ok, starting (the ALB has no healthy new target yet) or miss, for one path's result. */
function classify(result, expectedStatus) {
    if (result.error) {
        return {
            kind: "miss",
            reason: `${result.error.code || "error"}: ${result.error.message}`,
        };
    }
    if (result.status === expectedStatus) {
        return { kind: "ok" };
    }
    if (result.status === 503) {
        return { kind: "starting", reason: "503: no healthy target behind the test rule yet" };
    }
    return {
        kind: "miss",
        reason: `status ${result.status}, expected ${expectedStatus}: ${String(result.body || "").slice(0, BODY_SAMPLE)}`,
    };
}

// ---------------------------------------------------------------------------------------------
// The ALB's private addresses (EC2 DescribeNetworkInterfaces, Signature Version 4)
// ---------------------------------------------------------------------------------------------

function sha256Hex(data) {
    return crypto.createHash("sha256").update(data, "utf8").digest("hex");
}

function hmac(key, data) {
    return crypto.createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 3986 encoding, as Signature Version 4 wants it. */
function uriEncode(value) {
    return encodeURIComponent(value).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
}

/**
 * AWS Signature Version 4 headers for a request (no query string; the body is signed). `headers`
 * must hold `host`; returns them with x-amz-date, x-amz-security-token (with a session token) and
 * authorization added.
 */
function signV4({ method, path, headers, body, service, region, credentials, now }) {
    const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, "");
    const date = amzDate.slice(0, 8);
    const all = { ...headers, "x-amz-date": amzDate };
    if (credentials.sessionToken) {
        all["x-amz-security-token"] = credentials.sessionToken;
    }
    const names = Object.keys(all)
        .map((k) => k.toLowerCase())
        .sort();
    const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
    const canonicalHeaders = names
        .map((k) => `${k}:${String(lower[k]).trim().replace(/\s+/g, " ")}\n`)
        .join("");
    const signedHeaders = names.join(";");
    const canonicalRequest = [
        method,
        path,
        "",
        canonicalHeaders,
        signedHeaders,
        sha256Hex(body || ""),
    ].join("\n");
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join(
        "\n",
    );
    let key = hmac(`AWS4${credentials.secretAccessKey}`, date);
    for (const part of [region, service, "aws4_request"]) {
        key = hmac(key, part);
    }
    const signature = crypto.createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
    return {
        ...lower,
        authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
}

/** The private IPv4 addresses in a DescribeNetworkInterfaces answer, sorted, without repeats. */
function parsePrivateIps(xml) {
    const found = new Set();
    for (const m of String(xml).matchAll(/<privateIpAddress>([0-9.]+)<\/privateIpAddress>/g)) {
        found.add(m[1]);
    }
    return [...found].sort();
}

/** The EC2 endpoint of a region (China's partition has its own domain). */
function ec2Host(region) {
    return `ec2.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

/** The ALB's private addresses, from the network interfaces AWS describes "ELB <arn suffix>". */
async function lookupAlbAddresses(settings, env = process.env, now = new Date()) {
    if (!settings.albArnSuffix || !settings.region) {
        throw new Error("ALB_ARN_SUFFIX and AWS_REGION must be set");
    }
    const credentials = {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        sessionToken: env.AWS_SESSION_TOKEN,
    };
    if (!credentials.accessKeyId || !credentials.secretAccessKey) {
        throw new Error("no AWS credentials in the environment");
    }
    const body = [
        ["Action", "DescribeNetworkInterfaces"],
        ["Version", EC2_API_VERSION],
        ["Filter.1.Name", "description"],
        ["Filter.1.Value.1", `ELB ${settings.albArnSuffix}`],
        ["Filter.2.Name", "status"],
        ["Filter.2.Value.1", "in-use"],
    ]
        .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
        .join("&");
    const host = ec2Host(settings.region);
    const headers = signV4({
        method: "POST",
        path: "/",
        headers: {
            host,
            "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        },
        body,
        service: "ec2",
        region: settings.region,
        credentials,
        now,
    });
    const result = await request(
        { protocol: "https:", host, port: 443, path: "/", method: "POST", headers },
        body,
        LOOKUP_TIMEOUT_MS,
    );
    if (result.error) {
        throw result.error;
    }
    if (result.status !== 200) {
        throw new Error(
            `DescribeNetworkInterfaces answered ${result.status}: ${String(result.body).slice(0, BODY_SAMPLE)}`,
        );
    }
    const ips = parsePrivateIps(result.body);
    if (ips.length === 0) {
        throw new Error(`no network interface described "ELB ${settings.albArnSuffix}"`);
    }
    return ips;
}

// ---------------------------------------------------------------------------------------------
// The hook
// ---------------------------------------------------------------------------------------------

function log(entry) {
    console.log(JSON.stringify(entry));
}

/** Another invocation when attempts remain, else FAILED. */
function retryOrFail(attempt, settings, reason) {
    if (attempt < settings.maxAttempts) {
        log({ attempt, decision: "IN_PROGRESS", reason });
        return {
            hookStatus: "IN_PROGRESS",
            callBackDelay: settings.retryDelaySeconds,
            hookDetails: { attempt },
        };
    }
    log({ attempt, decision: "FAILED", reason: `${reason}; no attempt left (${attempt})` });
    return { hookStatus: "FAILED" };
}

/**
 * The decision for one invocation. `deps.lookup` finds the ALB's private addresses (default: the
 * EC2 API); with `settings.targetAddress` it is not called.
 */
async function evaluate(event, settings, deps = {}) {
    const attempt = previousAttempts(event) + 1;
    let address = settings.targetAddress;
    if (!address) {
        try {
            const lookup = deps.lookup || ((s) => lookupAlbAddresses(s));
            [address] = await lookup(settings);
        } catch (error) {
            return retryOrFail(attempt, settings, `ALB address lookup: ${error.message}`);
        }
    }
    const results = await Promise.all(
        settings.paths.map(async (path) => {
            const result = await request(
                smokeRequestOptions(settings, address, path),
                undefined,
                settings.timeoutMs,
            );
            return { path, ...classify(result, settings.expectedStatus) };
        }),
    );
    log({ attempt, address, port: settings.port, results });
    const misses = results.filter((r) => r.kind === "miss");
    if (misses.length > 0) {
        log({
            attempt,
            decision: "FAILED",
            reason: misses.map((m) => `${m.path}: ${m.reason}`).join("; "),
        });
        return { hookStatus: "FAILED" };
    }
    const starting = results.filter((r) => r.kind === "starting");
    if (starting.length > 0) {
        return retryOrFail(
            attempt,
            settings,
            starting.map((s) => `${s.path}: ${s.reason}`).join("; "),
        );
    }
    log({ attempt, decision: "SUCCEEDED" });
    return { hookStatus: "SUCCEEDED" };
}

/** The Lambda entry point. A setting that cannot be read fails the release (never a silent pass). */
async function handler(event) {
    let settings;
    try {
        settings = settingsFromEnv();
    } catch (error) {
        log({ decision: "FAILED", reason: `settings: ${error.message}` });
        return { hookStatus: "FAILED" };
    }
    return evaluate(event, settings);
}

module.exports = {
    handler,
    evaluate,
    settingsFromEnv,
    previousAttempts,
    classify,
    signV4,
    parsePrivateIps,
    lookupAlbAddresses,
    ec2Host,
};
