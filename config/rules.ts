// Validation rules for the stack config: small pure functions over typed values. Each `check*`
// returns the problems it finds (never throws) so parseConfig can report all of them at once.
// Limits are AWS's / Cloudflare's own, so a bad value fails here in a second instead of mid-deploy.
import {
    CacheConfig,
    CapacityConfig,
    CdnConfig,
    ComputeConfig,
    ConfigIssue,
    ContainerConfig,
    DatabaseConfig,
    HealthCheckConfig,
    LoadBalancerConfig,
    MonitoringConfig,
    NetworkConfig,
    PlatformConfig,
    ScalingConfig,
    WafConfig,
    WorkerConfig,
} from "./types";
import { partitionOf } from "../components/scalingRules";

// ---- usage (issue 16: cost model) ----
import { usageProblems } from "../policy/cost/usage";
// ---- end usage ----

export const NAMESPACE = "web-platform";

/** Full config key for a path below the project namespace: "healthCheck.interval" -> "web-platform:healthCheck.interval". */
export function configKey(path: string): string {
    return `${NAMESPACE}:${path}`;
}

export function issue(path: string, value: unknown, message: string): ConfigIssue {
    return { key: configKey(path), value, message };
}

/** How to set a value, for messages. */
export function setHint(path: string, example: unknown): string {
    const text = typeof example === "string" ? example : JSON.stringify(example);
    return `e.g. \`pulumi config set --path '${configKey(path)}' ${text}\``;
}

// ---------------------------------------------------------------------------------------------
// Generic checks

export interface RangeOptions {
    integer?: boolean;
    unit?: string;
    /** Appended to the message (why / how to fix). */
    why?: string;
}

/** `value` within [min, max] (and an integer when asked). */
export function checkRange(
    path: string,
    value: number,
    min: number,
    max: number,
    opts: RangeOptions = {},
): ConfigIssue[] {
    const intOk = !opts.integer || Number.isInteger(value);
    if (Number.isFinite(value) && intOk && value >= min && value <= max) {
        return [];
    }
    const unit = opts.unit ? ` ${opts.unit}` : "";
    const kind = opts.integer ? "an integer" : "a number";
    return [
        issue(
            path,
            value,
            `must be ${kind} from ${min} to ${max}${unit}${opts.why ? ` (${opts.why})` : ""}`,
        ),
    ];
}

export function checkOneOf<T>(
    path: string,
    value: T,
    allowed: readonly T[],
    why?: string,
): ConfigIssue[] {
    if (allowed.includes(value)) {
        return [];
    }
    const list = allowed.map((a) => JSON.stringify(a)).join(", ");
    const hint = typeof value === "string" ? didYouMean(value, allowed.map(String)) : "";
    return [issue(path, value, `must be one of ${list}${why ? ` (${why})` : ""}${hint}`)];
}

// ---------------------------------------------------------------------------------------------
// Typo suggestions

export function levenshtein(a: string, b: string): number {
    const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diag = prev[0];
        prev[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = prev[j];
            prev[j] = Math.min(
                prev[j] + 1,
                prev[j - 1] + 1,
                diag + (a[i - 1] === b[j - 1] ? 0 : 1),
            );
            diag = tmp;
        }
    }
    return prev[b.length];
}

/** Closest candidate to a misspelt name, or undefined when nothing is close. */
export function closestMatch(name: string, candidates: readonly string[]): string | undefined {
    const lower = name.toLowerCase();
    let best: string | undefined;
    let bestScore = Infinity;
    for (const c of candidates) {
        const cl = c.toLowerCase();
        const score = cl === lower ? 0 : levenshtein(lower, cl);
        if (score < bestScore) {
            best = c;
            bestScore = score;
        }
    }
    const tolerance = Math.max(2, Math.floor(name.length / 3));
    return best !== undefined && bestScore <= tolerance ? best : undefined;
}

/** " (did you mean "x"?)" or "". */
export function didYouMean(name: string, candidates: readonly string[]): string {
    const m = closestMatch(name, candidates);
    return m !== undefined && m !== name ? ` (did you mean "${m}"?)` : "";
}

// ---------------------------------------------------------------------------------------------
// Formats

/** Names that look like credentials: they belong in Secrets Manager, never in plain config. */
export function looksSecret(name: string): boolean {
    const words = name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length > 0);
    return (
        words.some((w) =>
            /pass(word|wd|phrase)?$|^pwd$|secret|token|credential|^key$|apikey|privatekey|accesskey/.test(
                w,
            ),
        ) || /api_?key|private_?key|access_?key|client_?secret/i.test(name)
    );
}

export function parseIpv4(text: string): number | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) {
        return undefined;
    }
    let value = 0;
    for (const p of parts) {
        if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) {
            return undefined;
        }
        value = value * 256 + Number(p);
    }
    return value;
}

export function parseIpv6(text: string): bigint | undefined {
    if (!/^[0-9a-fA-F:]+$/.test(text) || text.split("::").length > 2) {
        return undefined;
    }
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const headGroups = head === "" ? [] : head.split(":");
    const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
    const missing = 8 - headGroups.length - tailGroups.length;
    if (tail === undefined ? missing !== 0 : missing < 1) {
        return undefined;
    }
    const groups = [
        ...headGroups,
        ...Array<string>(tail === undefined ? 0 : missing).fill("0"),
        ...tailGroups,
    ];
    let value = 0n;
    for (const g of groups) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) {
            return undefined;
        }
        value = (value << 16n) + BigInt(parseInt(g, 16));
    }
    return value;
}

export interface ParsedCidr {
    family: 4 | 6;
    prefix: number;
    /** True when no host bits are set (10.0.0.0/16, not 10.0.0.1/16). */
    aligned: boolean;
}

export function parseCidr(cidr: string): ParsedCidr | undefined {
    if (typeof cidr !== "string") {
        return undefined;
    }
    const m = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(cidr);
    if (!m) {
        return undefined;
    }
    const prefix = Number(m[2]);
    const v4 = parseIpv4(m[1]);
    if (v4 !== undefined) {
        if (prefix > 32) {
            return undefined;
        }
        const hostBits = 2 ** (32 - prefix);
        return { family: 4, prefix, aligned: v4 % hostBits === 0 };
    }
    const v6 = parseIpv6(m[1]);
    if (v6 !== undefined) {
        if (prefix > 128) {
            return undefined;
        }
        const hostMask = (1n << BigInt(128 - prefix)) - 1n;
        return { family: 6, prefix, aligned: (v6 & hostMask) === 0n };
    }
    return undefined;
}

/** A well-formed IPv4 or IPv6 CIDR with no host bits set (AWS rejects "10.0.0.1/16" in rules). */
export function isValidCidr(cidr: string, family?: 4 | 6): boolean {
    const p = parseCidr(cidr);
    return p !== undefined && p.aligned && (family === undefined || p.family === family);
}

function cidrProblem(cidr: string, family: 4 | 6): string | undefined {
    const p = parseCidr(cidr);
    const example = family === 4 ? "10.0.0.0/16 or 0.0.0.0/0" : "2001:db8::/32 or ::/0";
    if (!p) {
        return `is not a valid IPv${family} CIDR (e.g. ${example})`;
    }
    if (p.family !== family) {
        return `is an IPv${p.family} CIDR; this list takes IPv${family} CIDRs (e.g. ${example})`;
    }
    if (!p.aligned) {
        return `has host bits set after the /${p.prefix} prefix; use the network address (e.g. ${example})`;
    }
    return undefined;
}

/**
 * Every region AWS (and @pulumi/aws 7.x's Region enum) knows: commercial, GovCloud, China, the
 * European Sovereign Cloud and the isolated partitions. A code that merely looks right
 * ("us-east-7") would pass the provider's format check and fail at the first API call.
 * Source: docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html.
 */
export const KNOWN_REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "ca-west-1",
    "mx-central-1",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eusc-de-east-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "eu-isoe-west-1",
] as const;

/** A region AWS operates (see KNOWN_REGIONS); the format alone is not enough. */
export function isValidRegion(region: string): boolean {
    return (KNOWN_REGIONS as readonly string[]).includes(region);
}

/** The aws:region problem, or undefined: unknown codes get the closest known one. */
export function regionProblem(region: string): string | undefined {
    if (isValidRegion(region)) {
        return undefined;
    }
    const hint = didYouMean(region, KNOWN_REGIONS);
    return `is not an AWS region${hint}; use a region code such as us-east-1 or eu-west-2 (\`aws ec2 describe-regions\` lists those enabled for your account)`;
}

/** An ACM certificate ARN in `region` (an ALB can only use a certificate from its own region). */
export function isAcmCertificateArn(arn: string, region: string): boolean {
    const m =
        /^arn:(aws|aws-cn|aws-us-gov|aws-eusc|aws-iso(?:-[a-z])?):acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(
            arn,
        );
    return m !== null && m[2] === region && m[1] === partitionOf(region);
}

/** ALB matcher: "200", "200-299" or "200,302"; HTTP codes 200-499. */
export function isValidMatcher(matcher: string): boolean {
    if (typeof matcher !== "string" || matcher.length === 0) {
        return false;
    }
    const code = (s: string) => /^\d{3}$/.test(s) && Number(s) >= 200 && Number(s) <= 499;
    const range = /^(\d{3})-(\d{3})$/.exec(matcher);
    if (range) {
        return code(range[1]) && code(range[2]) && Number(range[1]) < Number(range[2]);
    }
    return matcher.split(",").every(code);
}

export function isHostname(name: string): boolean {
    return (
        typeof name === "string" &&
        name.length <= 253 &&
        /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/.test(name) &&
        !/^\d+(\.\d+)*$/.test(name)
    );
}

export function isEmail(address: string): boolean {
    return (
        typeof address === "string" &&
        address.length <= 254 &&
        /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$/.test(
            address,
        ) &&
        !/^\.|\.\.|\.@/.test(address)
    );
}

/** YYYY-MM-DD that is a real calendar date. */
export function isIsoDate(text: string): boolean {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) {
        return false;
    }
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return (
        d.getUTCFullYear() === Number(m[1]) &&
        d.getUTCMonth() === Number(m[2]) - 1 &&
        d.getUTCDate() === Number(m[3])
    );
}

/** Docker image reference: [registry[:port]/]repo[:tag][@sha256:digest]. */
export function isImageReference(image: string): boolean {
    return (
        typeof image === "string" &&
        image.length > 0 &&
        image.length <= 255 &&
        /^([a-zA-Z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(
            image,
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Fargate sizes

/** Valid Fargate memory sizes (MiB) for a CPU size, per the AWS task-size table. */
export function fargateMemoryOptions(cpu: number): number[] {
    const steps = (from: number, to: number, step: number) => {
        const out: number[] = [];
        for (let m = from; m <= to; m += step) {
            out.push(m);
        }
        return out;
    };
    switch (cpu) {
        case 256:
            return [512, 1024, 2048];
        case 512:
            return steps(1024, 4096, 1024);
        case 1024:
            return steps(2048, 8192, 1024);
        case 2048:
            return steps(4096, 16384, 1024);
        case 4096:
            return steps(8192, 30720, 1024);
        case 8192:
            return steps(16384, 61440, 4096);
        case 16384:
            return steps(32768, 122880, 8192);
        default:
            return [];
    }
}

export const FARGATE_CPU_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384];

export function fargateCpuMemoryValid(cpu: number, memory: number): boolean {
    return fargateMemoryOptions(cpu).includes(memory);
}

function describeMemory(cpu: number): string {
    const opts = fargateMemoryOptions(cpu);
    if (opts.length <= 3) {
        return opts.join(", ");
    }
    return `${opts[0]}-${opts[opts.length - 1]} in steps of ${opts[1] - opts[0]}`;
}

/** Problems with a task size; `fargate` false means EC2 launch type (task size is free-form). */
export function checkTaskSize(
    path: string,
    cpu: number,
    memory: number,
    fargate: boolean,
): ConfigIssue[] {
    if (!fargate) {
        return [
            ...checkRange(`${path}.cpu`, cpu, 128, 196608, { integer: true, unit: "CPU units" }),
            ...checkRange(`${path}.memory`, memory, 128, 1048576, { integer: true, unit: "MiB" }),
        ];
    }
    if (!FARGATE_CPU_SIZES.includes(cpu)) {
        return [
            issue(`${path}.cpu`, cpu, `Fargate CPU must be one of ${FARGATE_CPU_SIZES.join(", ")}`),
        ];
    }
    if (!fargateCpuMemoryValid(cpu, memory)) {
        return [
            issue(
                `${path}.memory`,
                memory,
                `Fargate cpu ${cpu} takes memory ${describeMemory(cpu)} MiB; change memory or cpu`,
            ),
        ];
    }
    return [];
}

// ---------------------------------------------------------------------------------------------
// Time windows (UTC)

export interface TimeWindow {
    /** Minutes from Monday 00:00 (weekly) or midnight (daily). */
    start: number;
    end: number;
    weekly: boolean;
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function minutesOf(h: string, m: string): number | undefined {
    const hh = Number(h);
    const mm = Number(m);
    return hh <= 23 && mm <= 59 ? hh * 60 + mm : undefined;
}

/** "hh:mm-hh:mm" (daily) or "ddd:hh:mm-ddd:hh:mm" (weekly). */
export function parseWindow(text: string): TimeWindow | undefined {
    if (typeof text !== "string") {
        return undefined;
    }
    const daily = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
    if (daily) {
        const start = minutesOf(daily[1], daily[2]);
        const end = minutesOf(daily[3], daily[4]);
        return start === undefined || end === undefined ? undefined : { start, end, weekly: false };
    }
    const weekly = /^([a-z]{3}):(\d{2}):(\d{2})-([a-z]{3}):(\d{2}):(\d{2})$/.exec(
        text.toLowerCase(),
    );
    if (weekly) {
        const d1 = DAYS.indexOf(weekly[1]);
        const d2 = DAYS.indexOf(weekly[4]);
        const s = minutesOf(weekly[2], weekly[3]);
        const e = minutesOf(weekly[5], weekly[6]);
        if (d1 < 0 || d2 < 0 || s === undefined || e === undefined) {
            return undefined;
        }
        return { start: d1 * 1440 + s, end: d2 * 1440 + e, weekly: true };
    }
    return undefined;
}

/** Length of a window in minutes (windows may wrap past midnight / the end of the week). */
export function windowMinutes(w: TimeWindow): number {
    const cycle = w.weekly ? 7 * 1440 : 1440;
    return (w.end - w.start + cycle) % cycle;
}

/** Expand a window onto a week of minutes as [start, end) intervals. */
function weeklyIntervals(w: TimeWindow): Array<[number, number]> {
    const week = 7 * 1440;
    const len = windowMinutes(w);
    const starts = w.weekly ? [w.start] : DAYS.map((_, d) => d * 1440 + w.start);
    const out: Array<[number, number]> = [];
    for (const s of starts) {
        const e = s + len;
        if (e <= week) {
            out.push([s, e]);
        } else {
            out.push([s, week], [0, e - week]);
        }
    }
    return out;
}

/** True when two windows (daily or weekly) share any minute. */
export function windowsOverlap(a: TimeWindow, b: TimeWindow): boolean {
    const ia = weeklyIntervals(a);
    const ib = weeklyIntervals(b);
    return ia.some(([s1, e1]) => ib.some(([s2, e2]) => s1 < e2 && s2 < e1));
}

function checkWindow(
    path: string,
    text: string,
    weekly: boolean,
    minMinutes: number,
    example: string,
): ConfigIssue[] {
    const w = parseWindow(text);
    const format = weekly ? "ddd:hh:mm-ddd:hh:mm (UTC)" : "hh:mm-hh:mm (UTC)";
    if (!w || w.weekly !== weekly) {
        return [issue(path, text, `must be ${format}, e.g. "${example}"`)];
    }
    if (windowMinutes(w) < minMinutes) {
        return [
            issue(path, text, `must be at least ${minMinutes} minutes long, e.g. "${example}"`),
        ];
    }
    if (weekly && windowMinutes(w) > 24 * 60) {
        return [issue(path, text, `must be at most 24 hours long, e.g. "${example}"`)];
    }
    return [];
}

// ---------------------------------------------------------------------------------------------
// Health check

/** Seconds for the load balancer to take a dead target out of rotation. */
export function detectionSeconds(
    hc: Pick<HealthCheckConfig, "interval" | "unhealthyThreshold">,
): number {
    return hc.interval * hc.unhealthyThreshold;
}

export function checkHealthCheck(hc: HealthCheckConfig): ConfigIssue[] {
    const p = "healthCheck";
    const out = [
        ...checkRange(`${p}.interval`, hc.interval, 5, 300, { integer: true, unit: "seconds" }),
        ...checkRange(`${p}.timeout`, hc.timeout, 2, 120, { integer: true, unit: "seconds" }),
        ...checkRange(`${p}.healthyThreshold`, hc.healthyThreshold, 2, 10, { integer: true }),
        ...checkRange(`${p}.unhealthyThreshold`, hc.unhealthyThreshold, 2, 10, { integer: true }),
    ];
    if (out.length === 0 && hc.timeout >= hc.interval) {
        out.push(
            issue(
                `${p}.timeout`,
                hc.timeout,
                `must be shorter than healthCheck.interval (${hc.interval} s); AWS rejects timeout >= interval`,
            ),
        );
    }
    if (typeof hc.path !== "string" || !/^\/[\x21-\x7e]*$/.test(hc.path) || hc.path.length > 1024) {
        out.push(
            issue(
                `${p}.path`,
                hc.path,
                `must start with "/" and contain no spaces (max 1024 chars), e.g. "/health"`,
            ),
        );
    }
    if (!isValidMatcher(hc.matcher)) {
        out.push(
            issue(
                `${p}.matcher`,
                hc.matcher,
                `must be HTTP codes 200-499 like "200", "200-299" or "200,302"`,
            ),
        );
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Capacity and scaling

/** ECS service quota "tasks per service" (default 5,000). */
export const MAX_CAPACITY = 5000;

export function checkCapacity(
    path: string,
    c: CapacityConfig,
    minFloor = 0,
    floorWhy = "",
): ConfigIssue[] {
    const out = [
        // ECS's default quota is 5,000 tasks per service; Auto Scaling groups have no lower cap.
        ...checkRange(`${path}.min`, c.min, 0, MAX_CAPACITY, { integer: true }),
        ...checkRange(`${path}.max`, c.max, 1, MAX_CAPACITY, { integer: true }),
        ...checkRange(`${path}.desired`, c.desired, 0, MAX_CAPACITY, { integer: true }),
    ];
    if (out.length > 0) {
        return out;
    }
    if (c.min > c.max) {
        out.push(
            issue(
                `${path}.min`,
                c.min,
                `must not exceed ${path}.max (${c.max}); need min <= desired <= max`,
            ),
        );
    } else if (c.desired < c.min || c.desired > c.max) {
        out.push(
            issue(
                `${path}.desired`,
                c.desired,
                `must be between min (${c.min}) and max (${c.max})`,
            ),
        );
    }
    if (c.min < minFloor) {
        out.push(
            issue(
                `${path}.min`,
                c.min,
                `must be at least ${minFloor}${floorWhy ? ` (${floorWhy})` : ""}`,
            ),
        );
    }
    return out;
}

/** CloudWatch alarm period: 10, 30 or a multiple of 60 seconds. */
export function isValidAlarmPeriod(seconds: number): boolean {
    return (
        seconds === 10 ||
        seconds === 30 ||
        (Number.isInteger(seconds) && seconds >= 60 && seconds % 60 === 0)
    );
}

function checkPercentTarget(path: string, v: number | undefined): ConfigIssue[] {
    if (v === undefined) {
        return [];
    }
    return Number.isFinite(v) && v > 0 && v <= 100
        ? []
        : [issue(path, v, "must be a percentage in (0, 100]; set null to disable")];
}

function checkCooldowns(path: string, out: number, inn: number): ConfigIssue[] {
    const problems = [
        ...checkRange(`${path}.scaleOutCooldown`, out, 0, 3600, { integer: true, unit: "seconds" }),
        ...checkRange(`${path}.scaleInCooldown`, inn, 0, 3600, { integer: true, unit: "seconds" }),
    ];
    if (problems.length === 0 && out >= inn) {
        problems.push(
            issue(
                `${path}.scaleOutCooldown`,
                out,
                `must be shorter than scaleInCooldown (${inn} s) so the service adds capacity quickly and removes it cautiously (default 60 / 300)`,
            ),
        );
    }
    return problems;
}

export function checkScaling(s: ScalingConfig, mode: ComputeConfig["mode"]): ConfigIssue[] {
    const p = "scaling";
    const out = [
        ...checkOneOf(`${p}.strategy`, s.strategy, ["target-tracking", "step"] as const),
        ...checkPercentTarget(`${p}.cpuTarget`, s.cpuTarget),
        ...checkPercentTarget(`${p}.memoryTarget`, s.memoryTarget),
        ...checkCooldowns(p, s.scaleOutCooldown, s.scaleInCooldown),
    ];
    if (
        s.requestsPerTarget !== undefined &&
        !(Number.isFinite(s.requestsPerTarget) && s.requestsPerTarget > 0)
    ) {
        out.push(
            issue(
                `${p}.requestsPerTarget`,
                s.requestsPerTarget,
                "must be a number > 0 (ALB requests per target per minute); set null to disable",
            ),
        );
    }
    if (s.memoryTarget !== undefined && mode === "ec2") {
        out.push(
            issue(
                `${p}.memoryTarget`,
                s.memoryTarget,
                "memory target tracking needs Fargate (EC2 Auto Scaling has no memory metric); set it to null or use compute.mode fargate",
            ),
        );
    }
    if (
        s.strategy === "target-tracking" &&
        s.cpuTarget === undefined &&
        s.memoryTarget === undefined &&
        s.requestsPerTarget === undefined
    ) {
        out.push(
            issue(
                `${p}.cpuTarget`,
                null,
                "target tracking needs at least one of cpuTarget, memoryTarget, requestsPerTarget",
            ),
        );
    }
    const st = s.step;
    const sp = `${p}.step`;
    out.push(
        ...checkRange(`${sp}.scaleOutCpuThreshold`, st.scaleOutCpuThreshold, 1, 100, {
            unit: "percent",
        }),
        ...checkRange(`${sp}.scaleInCpuThreshold`, st.scaleInCpuThreshold, 0, 99, {
            unit: "percent",
        }),
        ...checkRange(`${sp}.scaleOutAdjustment`, st.scaleOutAdjustment, 1, 100, { integer: true }),
        ...checkRange(`${sp}.scaleInAdjustment`, st.scaleInAdjustment, 1, 100, {
            integer: true,
            why: "a positive number of instances to remove",
        }),
        ...checkRange(`${sp}.scaleOutEvaluationPeriods`, st.scaleOutEvaluationPeriods, 1, 100, {
            integer: true,
        }),
        ...checkRange(`${sp}.scaleInEvaluationPeriods`, st.scaleInEvaluationPeriods, 1, 100, {
            integer: true,
        }),
    );
    if (!isValidAlarmPeriod(st.alarmPeriod)) {
        out.push(
            issue(
                `${sp}.alarmPeriod`,
                st.alarmPeriod,
                "must be 10, 30 or a multiple of 60 seconds (CloudWatch alarm periods)",
            ),
        );
    } else {
        for (const n of ["scaleOutEvaluationPeriods", "scaleInEvaluationPeriods"] as const) {
            if (st.alarmPeriod * st[n] > 86400) {
                out.push(
                    issue(
                        `${sp}.${n}`,
                        st[n],
                        `alarmPeriod x ${n} must not exceed 86400 s (one day, CloudWatch limit)`,
                    ),
                );
            }
        }
    }
    if (st.scaleOutCpuThreshold <= st.scaleInCpuThreshold) {
        out.push(
            issue(
                `${sp}.scaleOutCpuThreshold`,
                st.scaleOutCpuThreshold,
                `must be greater than scaleInCpuThreshold (${st.scaleInCpuThreshold}); otherwise the group flaps between scaling out and in`,
            ),
        );
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Sections

export function checkNetwork(n: NetworkConfig): ConfigIssue[] {
    const p = "network";
    const out: ConfigIssue[] = [];
    const cidrIssue = cidrProblem(n.cidrBlock, 4);
    const parsed = parseCidr(n.cidrBlock);
    if (cidrIssue) {
        out.push(issue(`${p}.cidrBlock`, n.cidrBlock, cidrIssue));
    } else if (parsed && (parsed.prefix < 16 || parsed.prefix > 28)) {
        out.push(
            issue(
                `${p}.cidrBlock`,
                n.cidrBlock,
                "AWS VPCs take netmasks /16 to /28, e.g. 10.0.0.0/16",
            ),
        );
    }
    if (n.kind === "new") {
        out.push(
            ...checkRange(`${p}.azCount`, n.azCount, 2, 6, {
                integer: true,
                why: "an ALB needs at least two AZs",
            }),
        );
        if (out.length === 0 && parsed) {
            // Same layout as components/network.ts: per AZ a private half and a public quarter.
            const publicMask = parsed.prefix + Math.ceil(Math.log2(n.azCount)) + 2;
            if (publicMask > 27) {
                out.push(
                    issue(
                        `${p}.cidrBlock`,
                        n.cidrBlock,
                        `is too small for ${n.azCount} AZs (public subnets would be /${publicMask}; an ALB needs /27 or larger); use a larger block such as /16`,
                    ),
                );
            }
        }
        out.push(
            ...checkOneOf(`${p}.natGateways`, n.natGateways, [
                "single",
                "one-per-az",
                "none",
            ] as const),
        );
        return out;
    }
    if (!/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/.test(n.vpcId)) {
        out.push(issue(`${p}.vpcId`, n.vpcId, `must be a VPC id like "vpc-0123456789abcdef0"`));
    }
    for (const field of ["publicSubnetIds", "privateSubnetIds"] as const) {
        const ids = n[field];
        if (ids.length < 2) {
            out.push(
                issue(
                    `${p}.${field}`,
                    ids,
                    "needs at least 2 subnet ids in different AZs (an ALB and a Multi-AZ service need two)",
                ),
            );
        }
        ids.forEach((id, i) => {
            if (!/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) {
                out.push(
                    issue(
                        `${p}.${field}[${i}]`,
                        id,
                        `must be a subnet id like "subnet-0123456789abcdef0"`,
                    ),
                );
            }
        });
        if (new Set(ids).size !== ids.length) {
            out.push(issue(`${p}.${field}`, ids, "lists a subnet twice"));
        }
    }
    const shared = n.publicSubnetIds.filter((id) => n.privateSubnetIds.includes(id));
    if (shared.length > 0) {
        out.push(
            issue(
                `${p}.privateSubnetIds`,
                n.privateSubnetIds,
                `must not reuse public subnets (${shared.join(", ")}); tasks and data stores belong in private subnets`,
            ),
        );
    }
    return out;
}

export const SECRET_ENV_MESSAGE =
    "looks like a secret: never put credentials in plain config or environment variables; " +
    "store it in AWS Secrets Manager and reference it as an ECS secret";

export function checkEnvironment(path: string, env: Record<string, string>): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    for (const name of Object.keys(env)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
            out.push(
                issue(
                    `${path}.${name}`,
                    name,
                    "environment variable names take letters, digits and _ and do not start with a digit",
                ),
            );
        } else if (looksSecret(name)) {
            out.push(issue(`${path}.${name}`, "[redacted]", SECRET_ENV_MESSAGE));
        } else if (name.startsWith("AWS_") || name.startsWith("ECS_")) {
            out.push(
                issue(
                    `${path}.${name}`,
                    name,
                    "AWS_* and ECS_* names are reserved for the runtime; rename the variable",
                ),
            );
        }
    }
    return out;
}

export function checkApp(app: ContainerConfig, fargate: boolean): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    if (!isImageReference(app.image)) {
        out.push(
            issue(
                "app.image",
                app.image === "" ? undefined : app.image,
                `is required: a container image like "public.ecr.aws/nginx/nginx:1.27" or "<account>.dkr.ecr.<region>.amazonaws.com/app:v1"; ${setHint("app.image", "public.ecr.aws/nginx/nginx:1.27")}`,
            ),
        );
    }
    out.push(...checkRange("app.port", app.port, 1, 65535, { integer: true }));
    out.push(...checkTaskSize("app", app.cpu, app.memory, fargate));
    out.push(...checkEnvironment("app.environment", app.environment));
    app.writablePaths.forEach((p, i) => {
        if (!/^\/[A-Za-z0-9._/-]*$/.test(p) || p === "/") {
            out.push(
                issue(
                    `app.writablePaths[${i}]`,
                    p,
                    'must be an absolute path below / such as "/tmp" or "/var/cache/app"',
                ),
            );
        }
    });
    return out;
}

/** CloudWatch Logs retention values. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

export function checkCompute(c: ComputeConfig): ConfigIssue[] {
    const p = "compute";
    const out = [
        ...checkOneOf(`${p}.mode`, c.mode, ["fargate", "ec2"] as const),
        ...checkRange(`${p}.healthCheckGracePeriod`, c.healthCheckGracePeriod, 0, 7200, {
            integer: true,
            unit: "seconds",
        }),
        ...checkRange(
            `${p}.instanceRefreshMinHealthyPercentage`,
            c.instanceRefreshMinHealthyPercentage,
            0,
            100,
            { integer: true, unit: "percent" },
        ),
        ...checkRange(`${p}.rootVolumeGiB`, c.rootVolumeGiB, 30, 16384, {
            integer: true,
            unit: "GiB",
            why: "the ECS-optimised AMI's snapshot is 30 GiB",
        }),
        ...checkOneOf(
            `${p}.logRetentionDays`,
            c.logRetentionDays,
            LOG_RETENTION_DAYS,
            "CloudWatch Logs retention values",
        ),
    ];
    const instanceType = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
    if (!instanceType.test(c.instanceType)) {
        out.push(
            issue(
                `${p}.instanceType`,
                c.instanceType,
                `must be an EC2 instance type like "t3.small"`,
            ),
        );
    }
    if (c.amiId !== undefined && !/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(c.amiId)) {
        out.push(issue(`${p}.amiId`, c.amiId, `must be an AMI id like "ami-0123456789abcdef0"`));
    }
    if (!/^\/[A-Za-z0-9_./-]+$/.test(c.amiSsmParameter)) {
        out.push(
            issue(
                `${p}.amiSsmParameter`,
                c.amiSsmParameter,
                'must be an SSM parameter path starting with "/"',
            ),
        );
    }
    if (c.spot) {
        const s = c.spot;
        if (c.mode !== "ec2") {
            out.push(
                issue(
                    `${p}.spot`,
                    s,
                    "spot applies to compute.mode ec2 (Auto Scaling mixed instances); remove it or set compute.mode ec2",
                ),
            );
        }
        out.push(
            ...checkRange(`${p}.spot.onDemandBaseCapacity`, s.onDemandBaseCapacity, 0, 1000, {
                integer: true,
            }),
            ...checkRange(
                `${p}.spot.onDemandPercentageAboveBase`,
                s.onDemandPercentageAboveBase,
                0,
                100,
                { integer: true, unit: "percent" },
            ),
            ...checkOneOf(`${p}.spot.allocationStrategy`, s.allocationStrategy, [
                "price-capacity-optimized",
                "capacity-optimized",
                "lowest-price",
            ] as const),
        );
        if (s.instanceTypes.length < 1 || s.instanceTypes.length > 40) {
            out.push(
                issue(
                    `${p}.spot.instanceTypes`,
                    s.instanceTypes,
                    "needs 1-40 instance types (diversify across several for spot capacity)",
                ),
            );
        }
        s.instanceTypes.forEach((t, i) => {
            if (!instanceType.test(t)) {
                out.push(
                    issue(
                        `${p}.spot.instanceTypes[${i}]`,
                        t,
                        `must be an EC2 instance type like "t3.small"`,
                    ),
                );
            }
        });
    }
    return out;
}

/** Default inbound (and outbound) rule quota of a security group, per address family. */
export const SG_RULE_QUOTA = 60;
/** Rules referencing each origin prefix list: one per port (80, 443). */
const RULES_PER_PREFIX_LIST = 2;

/**
 * Under origin lockdown the ALB admits the CDN through two prefix lists. AWS counts a rule that
 * references a prefix list as the list's maxEntries rules (not its current entries), so two rules
 * per list must fit the group's quota: maxEntries <= 30. Checked here, before any engine work.
 */
export function checkPrefixListCapacity(
    lb: Pick<LoadBalancerConfig, "originPrefixListMaxEntries">,
): ConfigIssue[] {
    const max = Math.floor(SG_RULE_QUOTA / RULES_PER_PREFIX_LIST);
    return (["ipv4", "ipv6"] as const).flatMap((family) =>
        checkRange(
            `loadBalancer.originPrefixListMaxEntries.${family}`,
            lb.originPrefixListMaxEntries[family],
            1,
            max,
            {
                integer: true,
                unit: "entries",
                why:
                    `the ${RULES_PER_PREFIX_LIST} ALB rules (80, 443) referencing the list each count maxEntries against ` +
                    `the security group's quota of ${SG_RULE_QUOTA} inbound rules`,
            },
        ),
    );
}

export function checkLoadBalancer(
    lb: LoadBalancerConfig,
    region: string,
    cdnEnabled: boolean,
): ConfigIssue[] {
    const p = "loadBalancer";
    const out = [
        ...checkOneOf(`${p}.algorithm`, lb.algorithm, [
            "round_robin",
            "least_outstanding_requests",
        ] as const),
        ...checkRange(`${p}.stickiness.duration`, lb.stickiness.duration, 1, 604800, {
            integer: true,
            unit: "seconds",
        }),
        ...checkRange(`${p}.deregistrationDelay`, lb.deregistrationDelay, 0, 3600, {
            integer: true,
            unit: "seconds",
        }),
        ...checkRange(`${p}.idleTimeout`, lb.idleTimeout, 1, 4000, {
            integer: true,
            unit: "seconds",
        }),
        ...checkRange(`${p}.accessLogs.expirationDays`, lb.accessLogs.expirationDays, 1, 3650, {
            integer: true,
            unit: "days",
        }),
        ...(cdnEnabled ? checkPrefixListCapacity(lb) : []),
    ];
    if (lb.certificateArn !== undefined) {
        if (!isAcmCertificateArn(lb.certificateArn, region)) {
            out.push(
                issue(
                    `${p}.certificateArn`,
                    lb.certificateArn,
                    `must be an ACM certificate ARN in the stack's region ${region}: arn:${partitionOf(region)}:acm:${region}:<account>:certificate/<uuid>`,
                ),
            );
        }
    } else if (!cdnEnabled) {
        out.push(
            issue(
                `${p}.certificateArn`,
                undefined,
                "is required when cdn.enabled is false: the HTTPS listener needs a certificate. Request or import one in ACM " +
                    `(region ${region}) and ${setHint(`${p}.certificateArn`, `arn:${partitionOf(region)}:acm:${region}:123456789012:certificate/<uuid>`)}, ` +
                    "or enable the CDN so a managed certificate is issued",
            ),
        );
    }
    if (!/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(lb.sslPolicy)) {
        out.push(
            issue(
                `${p}.sslPolicy`,
                lb.sslPolicy,
                `must be an ELB security policy name like "ELBSecurityPolicy-TLS13-1-2-2021-06"`,
            ),
        );
    }
    for (const [field, family] of [
        ["ingressCidrs", 4],
        ["ingressIpv6Cidrs", 6],
    ] as const) {
        lb[field].forEach((cidr, i) => {
            const problem = cidrProblem(cidr, family);
            if (problem) {
                out.push(issue(`${p}.${field}[${i}]`, cidr, problem));
            }
        });
        if (new Set(lb[field]).size !== lb[field].length) {
            out.push(
                issue(
                    `${p}.${field}`,
                    lb[field],
                    "lists a CIDR twice (AWS rejects duplicate security group rules)",
                ),
            );
        }
    }
    return out;
}

export const WAF_WINDOWS = [60, 120, 300, 600];

export function checkWaf(w: WafConfig): ConfigIssue[] {
    return [
        ...checkRange("waf.rateLimit", w.rateLimit, 10, 2_000_000_000, {
            integer: true,
            unit: "requests per IP per window",
            why: "AWS WAF rate-based rule limits",
        }),
        ...checkOneOf(
            "waf.rateWindowSeconds",
            w.rateWindowSeconds,
            WAF_WINDOWS,
            "AWS WAF evaluation windows",
        ),
    ];
}

/** Performance Insights retention: 7 (free tier) or a multiple of 31 up to 731 days. */
export function isValidPiRetention(days: number): boolean {
    return (
        days === 7 ||
        days === 731 ||
        (Number.isInteger(days) && days > 0 && days % 31 === 0 && days <= 731)
    );
}

/** RDS: up to 15 read replicas per source instance (MySQL, MariaDB, PostgreSQL). */
export const MAX_READ_REPLICAS = 15;

/** Smallest storage autoscaling ceiling RDS accepts: at least 10 % above the allocated storage. */
export function minStorageThreshold(allocatedGiB: number): number {
    // Integer arithmetic: 100 * 1.1 is 110.00000000000001 in floating point.
    return Math.ceil((allocatedGiB * 11) / 10);
}

const RESERVED_DB_NAMES = ["postgres", "template0", "template1", "rdsadmin"];
const RESERVED_DB_USERS = [
    "rdsadmin",
    "rdsrepladmin",
    "rdsproxyadmin",
    "rds_superuser",
    "public",
    "user",
    "postgres",
];

export function checkDatabase(d: DatabaseConfig, production: boolean): ConfigIssue[] {
    const p = "database";
    const out: ConfigIssue[] = [];
    const version = /^(\d+)(\.\d+)?$/.exec(d.engineVersion);
    if (!version || Number(version[1]) < 13) {
        out.push(
            issue(
                `${p}.engineVersion`,
                d.engineVersion,
                `must be a PostgreSQL version with major >= 13 ("17" or "17.4"); older majors are out of RDS standard support`,
            ),
        );
    }
    if (!/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(d.instanceClass)) {
        out.push(
            issue(
                `${p}.instanceClass`,
                d.instanceClass,
                `must be an RDS instance class like "db.t4g.micro"`,
            ),
        );
    }
    if (!/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(d.replicaInstanceClass)) {
        out.push(
            issue(
                `${p}.replicaInstanceClass`,
                d.replicaInstanceClass,
                `must be an RDS instance class like "db.t4g.micro"`,
            ),
        );
    }
    out.push(
        ...checkRange(`${p}.allocatedStorageGiB`, d.allocatedStorageGiB, 20, 65536, {
            integer: true,
            unit: "GiB",
            why: "gp3 limits for PostgreSQL",
        }),
    );
    const maxIssues = checkRange(
        `${p}.maxAllocatedStorageGiB`,
        d.maxAllocatedStorageGiB,
        22,
        65536,
        { integer: true, unit: "GiB" },
    );
    out.push(...maxIssues);
    const threshold = minStorageThreshold(d.allocatedStorageGiB);
    if (maxIssues.length === 0 && d.maxAllocatedStorageGiB < threshold) {
        out.push(
            issue(
                `${p}.maxAllocatedStorageGiB`,
                d.maxAllocatedStorageGiB,
                `must be at least ${threshold} GiB: RDS requires the storage autoscaling ceiling to be at least 10 % above allocatedStorageGiB (${d.allocatedStorageGiB}); raise it or lower allocatedStorageGiB`,
            ),
        );
    }
    out.push(
        ...checkRange(`${p}.readReplicas`, d.readReplicas, 0, MAX_READ_REPLICAS, {
            integer: true,
            why: "RDS for PostgreSQL allows up to 15 read replicas per source instance",
        }),
    );
    if (production && d.enabled && d.readReplicas < 1) {
        out.push(
            issue(
                `${p}.readReplicas`,
                d.readReplicas,
                "production stacks need at least 1 read replica (read scaling and a promotable copy)",
            ),
        );
    }
    const retention = checkRange(`${p}.backupRetentionDays`, d.backupRetentionDays, 1, 35, {
        integer: true,
        unit: "days",
        why: "0 would disable backups and read replicas",
    });
    out.push(...retention);
    if (retention.length === 0 && production && d.backupRetentionDays < 7) {
        out.push(
            issue(
                `${p}.backupRetentionDays`,
                d.backupRetentionDays,
                "production stacks keep at least 7 days of backups",
            ),
        );
    }
    const bw = checkWindow(`${p}.backupWindow`, d.backupWindow, false, 30, "03:00-04:00");
    const mw = checkWindow(
        `${p}.maintenanceWindow`,
        d.maintenanceWindow,
        true,
        30,
        "sun:04:30-sun:05:30",
    );
    out.push(...bw, ...mw);
    if (
        bw.length === 0 &&
        mw.length === 0 &&
        windowsOverlap(parseWindow(d.backupWindow)!, parseWindow(d.maintenanceWindow)!)
    ) {
        out.push(
            issue(
                `${p}.maintenanceWindow`,
                d.maintenanceWindow,
                `must not overlap backupWindow (${d.backupWindow}); RDS rejects overlapping windows`,
            ),
        );
    }
    out.push(
        ...checkOneOf(
            `${p}.monitoringInterval`,
            d.monitoringInterval,
            [0, 1, 5, 10, 15, 30, 60],
            "enhanced monitoring intervals in seconds",
        ),
    );
    if (!isValidPiRetention(d.performanceInsightsRetentionDays)) {
        out.push(
            issue(
                `${p}.performanceInsightsRetentionDays`,
                d.performanceInsightsRetentionDays,
                "must be 7 or a multiple of 31 up to 731 (e.g. 31, 93, 731)",
            ),
        );
    }
    if (
        !/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(d.databaseName) ||
        RESERVED_DB_NAMES.includes(d.databaseName.toLowerCase())
    ) {
        out.push(
            issue(
                `${p}.databaseName`,
                d.databaseName,
                "must start with a letter, use letters, digits and _ (max 63) and not be a reserved name (postgres, template0/1)",
            ),
        );
    }
    if (
        !/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(d.masterUsername) ||
        RESERVED_DB_USERS.includes(d.masterUsername.toLowerCase()) ||
        /^(pg_|rds)/i.test(d.masterUsername)
    ) {
        out.push(
            issue(
                `${p}.masterUsername`,
                d.masterUsername,
                "must start with a letter, use letters, digits and _ (max 63) and not be reserved (postgres, rdsadmin, pg_*, rds*)",
            ),
        );
    }
    return out;
}

export const EVICTION_POLICIES = [
    "allkeys-lru",
    "allkeys-lfu",
    "volatile-lru",
    "volatile-lfu",
    "volatile-ttl",
    "allkeys-random",
    "volatile-random",
    "noeviction",
] as const;

export function checkCache(c: CacheConfig): ConfigIssue[] {
    const p = "cache";
    const out = [
        ...checkOneOf(`${p}.engine`, c.engine, ["redis", "valkey"] as const),
        ...checkRange(`${p}.numNodes`, c.numNodes, 2, 6, {
            integer: true,
            why: "automatic failover needs a primary and at least one replica; a replication group holds at most 6",
        }),
        ...checkOneOf(`${p}.maxmemoryPolicy`, c.maxmemoryPolicy, EVICTION_POLICIES),
        ...checkRange(`${p}.snapshotRetentionDays`, c.snapshotRetentionDays, 0, 35, {
            integer: true,
            unit: "days",
        }),
    ];
    const v = /^(\d+)\.(\d+|x)$/.exec(c.engineVersion);
    const major = v ? Number(v[1]) : 0;
    const ok =
        c.engine === "valkey"
            ? v !== null && v[2] !== "x" && (major > 7 || (major === 7 && Number(v[2]) >= 2))
            : v !== null &&
              (c.engineVersion === "6.x" ||
                  c.engineVersion === "6.2" ||
                  c.engineVersion === "7.0" ||
                  c.engineVersion === "7.1");
    if (!ok) {
        const allowed = c.engine === "valkey" ? `"7.2", "8.0", "8.1"` : `"6.2", "7.0", "7.1"`;
        out.push(
            issue(
                `${p}.engineVersion`,
                c.engineVersion,
                `must be a supported ${c.engine} version: ${allowed}`,
            ),
        );
    }
    if (!/^cache\.[a-z0-9-]+\.[a-z0-9]+$/.test(c.nodeType)) {
        out.push(
            issue(
                `${p}.nodeType`,
                c.nodeType,
                `must be an ElastiCache node type like "cache.t4g.micro"`,
            ),
        );
    }
    const sw = checkWindow(`${p}.snapshotWindow`, c.snapshotWindow, false, 60, "05:00-06:00");
    const mw = checkWindow(
        `${p}.maintenanceWindow`,
        c.maintenanceWindow,
        true,
        60,
        "sun:06:30-sun:07:30",
    );
    out.push(...sw, ...mw);
    if (
        sw.length === 0 &&
        mw.length === 0 &&
        windowsOverlap(parseWindow(c.snapshotWindow)!, parseWindow(c.maintenanceWindow)!)
    ) {
        out.push(
            issue(
                `${p}.maintenanceWindow`,
                c.maintenanceWindow,
                `must not overlap snapshotWindow (${c.snapshotWindow})`,
            ),
        );
    }
    return out;
}

export function checkWorkers(workers: WorkerConfig[], production: boolean): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    const seen = new Set<string>();
    workers.forEach((w, i) => {
        const p = `workers[${i}]`;
        if (!/^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$/.test(w.name)) {
            out.push(
                issue(
                    `${p}.name`,
                    w.name,
                    `must be 1-24 chars of a-z, 0-9 and "-" (not at either end), e.g. "jobs"`,
                ),
            );
        } else if (seen.has(w.name)) {
            out.push(
                issue(
                    `${p}.name`,
                    w.name,
                    "is used by another worker; worker names must be unique",
                ),
            );
        } else if (w.name === "web") {
            out.push(issue(`${p}.name`, w.name, `"web" is the app service's name; choose another`));
        }
        seen.add(w.name);
        if (!isImageReference(w.image)) {
            out.push(
                issue(
                    `${p}.image`,
                    w.image,
                    "must be a container image reference (defaults to app.image)",
                ),
            );
        }
        out.push(...checkTaskSize(p, w.cpu, w.memory, true));
        out.push(...checkEnvironment(`${p}.environment`, w.environment));
        out.push(
            ...checkCapacity(
                `${p}.capacity`,
                w.capacity,
                production ? 2 : 0,
                production
                    ? "production workers run at least 2 tasks so one can fail or be replaced"
                    : "",
            ),
        );
        out.push(...checkPercentTarget(`${p}.cpuTarget`, w.cpuTarget));
        out.push(...checkCooldowns(p, w.scaleOutCooldown, w.scaleInCooldown));
        const q = w.queueMetric;
        if (q) {
            const qp = `${p}.queueMetric`;
            if (!/^[A-Za-z0-9.\-_/#:]{1,255}$/.test(q.namespace)) {
                out.push(
                    issue(
                        `${qp}.namespace`,
                        q.namespace,
                        `is required: a CloudWatch namespace like "WebPlatform/Jobs"`,
                    ),
                );
            }
            if (!/^.{1,255}$/.test(q.metricName) || q.metricName.trim() === "") {
                out.push(
                    issue(
                        `${qp}.metricName`,
                        q.metricName,
                        `is required: the metric's name, e.g. "QueueDepth"`,
                    ),
                );
            }
            if (Object.keys(q.dimensions).length > 30) {
                out.push(
                    issue(
                        `${qp}.dimensions`,
                        q.dimensions,
                        "CloudWatch metrics take at most 30 dimensions",
                    ),
                );
            }
            if (!(Number.isFinite(q.targetPerTask) && q.targetPerTask > 0)) {
                out.push(
                    issue(
                        `${qp}.targetPerTask`,
                        q.targetPerTask,
                        "must be a number > 0 (backlog each task should handle)",
                    ),
                );
            }
            out.push(
                ...checkOneOf(`${qp}.statistic`, q.statistic, [
                    "Average",
                    "Sum",
                    "Maximum",
                ] as const),
            );
        }
    });
    return out;
}

export function checkMonitoring(m: MonitoringConfig): ConfigIssue[] {
    const p = "monitoring";
    const out: ConfigIssue[] = [];
    m.alarmEmails.forEach((e, i) => {
        if (!isEmail(e)) {
            out.push(
                issue(
                    `${p}.alarmEmails[${i}]`,
                    e,
                    `must be an e-mail address like "oncall@example.com"`,
                ),
            );
        }
    });
    for (const [name, value] of Object.entries(m.thresholds)) {
        const percent = name.endsWith("Percent");
        if (!(Number.isFinite(value) && value > 0 && (!percent || value <= 100))) {
            out.push(
                issue(
                    `${p}.thresholds.${name}`,
                    value,
                    percent ? "must be a percentage in (0, 100]" : "must be a number > 0",
                ),
            );
        }
    }
    if (!isValidAlarmPeriod(m.period)) {
        out.push(
            issue(
                `${p}.period`,
                m.period,
                "must be 10, 30 or a multiple of 60 seconds (CloudWatch alarm periods)",
            ),
        );
    }
    const ev = checkRange(`${p}.evaluationPeriods`, m.evaluationPeriods, 1, 1440, {
        integer: true,
    });
    out.push(...ev);
    if (ev.length === 0 && isValidAlarmPeriod(m.period) && m.period * m.evaluationPeriods > 86400) {
        out.push(
            issue(
                `${p}.evaluationPeriods`,
                m.evaluationPeriods,
                "period x evaluationPeriods must not exceed 86400 s (CloudWatch limit)",
            ),
        );
    }
    return out;
}

export function checkCdn(c: CdnConfig): ConfigIssue[] {
    const p = "cdn";
    if (!c.enabled) {
        return [];
    }
    const out: ConfigIssue[] = [];
    for (const field of ["accountId", "zoneId"] as const) {
        if (!/^[0-9a-f]{32}$/.test(c[field])) {
            out.push(
                issue(
                    `${p}.${field}`,
                    c[field] === "" ? undefined : c[field],
                    `must be the Cloudflare ${field === "accountId" ? "account" : "zone"} id (32 hex characters) when cdn.enabled; find it on the zone's Overview page, or set cdn.enabled false`,
                ),
            );
        }
    }
    if (!isHostname(c.domain)) {
        out.push(
            issue(
                `${p}.domain`,
                c.domain === "" ? undefined : c.domain,
                `must be a lowercase hostname like "example.com" or "app.example.com" in the Cloudflare zone`,
            ),
        );
    }
    if (c.staticExtensions.length === 0) {
        out.push(
            issue(
                `${p}.staticExtensions`,
                c.staticExtensions,
                "must list at least one file extension",
            ),
        );
    }
    c.staticExtensions.forEach((e, i) => {
        if (!/^[a-z0-9]+$/i.test(e)) {
            out.push(
                issue(
                    `${p}.staticExtensions[${i}]`,
                    e,
                    `must be a bare extension without dots, e.g. "css" not ".css"`,
                ),
            );
        }
    });
    if (!/^\/([A-Za-z0-9._~-]+\/)*$/.test(c.apiPrefix) || c.apiPrefix === "/") {
        out.push(issue(`${p}.apiPrefix`, c.apiPrefix, `must start and end with "/", e.g. "/api/"`));
    }
    out.push(
        ...checkRange(`${p}.htmlEdgeTtl`, c.htmlEdgeTtl, 0, 31536000, {
            integer: true,
            unit: "seconds",
        }),
    );
    out.push(
        ...checkRange(`${p}.hstsMaxAge`, c.hstsMaxAge, 0, 63072000, {
            integer: true,
            unit: "seconds",
        }),
    );
    if (!isIsoDate(c.compatibilityDate)) {
        out.push(
            issue(
                `${p}.compatibilityDate`,
                c.compatibilityDate,
                `must be a date YYYY-MM-DD, e.g. "2025-09-01"`,
            ),
        );
    } else if (c.compatibilityDate < MIN_WORKER_COMPATIBILITY_DATE) {
        out.push(
            issue(
                `${p}.compatibilityDate`,
                c.compatibilityDate,
                `must be ${MIN_WORKER_COMPATIBILITY_DATE} or later: the edge worker marks pass-through fetches \`cache: "no-store"\`, which older runtimes reject`,
            ),
        );
    }
    out.push(...checkEdgeBehaviour(c));
    return out;
}

// ---------------------------------------------------------------------------------------------
// Edge worker behaviour (issue 13): cache key, freshness, origin timeout, methods, HSTS.

/** Oldest Workers runtime with the fetch `cache` option the edge worker uses. */
export const MIN_WORKER_COMPATIBILITY_DATE = "2024-11-11";
/** Methods the edge worker can pass on; anything else is always answered 405. */
export const EDGE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
/** Unhashed names a hashed-asset pattern must not match: a match would freeze them for a year. */
export const UNHASHED_EXAMPLES = [
    "/static/config.js",
    "/app.js",
    "/favicon.ico",
    "/css/site-theme.css",
    "/img/photo-20240101.jpg",
];

/** The pattern as a regular expression, or the compiler's complaint. */
export function compileHashedAssetPattern(source: string): RegExp | string {
    try {
        return new RegExp(source);
    } catch (e) {
        return e instanceof Error ? e.message : String(e);
    }
}

function checkNameList(path: string, names: string[], valid: RegExp, what: string): ConfigIssue[] {
    return names.flatMap((n, i) => (valid.test(n) ? [] : [issue(`${path}[${i}]`, n, what)]));
}

export function checkEdgeBehaviour(c: CdnConfig): ConfigIssue[] {
    const p = "cdn";
    const out: ConfigIssue[] = [];
    if (c.hstsPreload && (!c.hstsIncludeSubDomains || c.hstsMaxAge < 31536000)) {
        out.push(
            issue(
                `${p}.hstsPreload`,
                c.hstsPreload,
                "needs cdn.hstsIncludeSubDomains true and cdn.hstsMaxAge >= 31536000 (the preload list's requirements), and only suits an apex domain; set it false for a sub-domain stack",
            ),
        );
    }
    out.push(
        ...checkRange(`${p}.assetEdgeTtl`, c.assetEdgeTtl, 0, 31536000, {
            integer: true,
            unit: "seconds",
        }),
    );
    out.push(
        ...checkRange(`${p}.originTimeout`, c.originTimeout, 1, 100, {
            integer: true,
            unit: "seconds",
            why: "Cloudflare itself gives up on an origin after 100 s",
        }),
    );
    out.push(
        ...checkRange(`${p}.staleIfError`, c.staleIfError, 0, 2592000, {
            integer: true,
            unit: "seconds",
            why: "0 turns stale-if-error off",
        }),
    );
    out.push(
        ...checkNameList(
            `${p}.cacheKeyIgnoredParams`,
            c.cacheKeyIgnoredParams,
            /^(?!\*$)[A-Za-z0-9_.\-[\]*]+$/,
            `must be a query parameter name of letters, digits and _ . - [ ], with * for any characters (e.g. "utm_*"); "*" alone would merge every query string into one cache entry`,
        ),
    );
    out.push(
        ...checkNameList(
            `${p}.sessionCookies`,
            c.sessionCookies,
            /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/,
            `must be a cookie name (no spaces, commas, semicolons or "="), with * for any characters, e.g. "session_*"`,
        ),
    );
    const compiled = compileHashedAssetPattern(c.hashedAssetPattern);
    if (typeof compiled === "string") {
        out.push(
            issue(
                `${p}.hashedAssetPattern`,
                c.hashedAssetPattern,
                `must be a JavaScript regular expression (${compiled}); remove the key to use the default`,
            ),
        );
    } else if (c.hashedAssetPattern.length > 300) {
        out.push(
            issue(
                `${p}.hashedAssetPattern`,
                c.hashedAssetPattern.length,
                "must be at most 300 characters: it runs on every asset request",
            ),
        );
    } else {
        const frozen = UNHASHED_EXAMPLES.find((x) => compiled.test(x));
        if (frozen !== undefined) {
            out.push(
                issue(
                    `${p}.hashedAssetPattern`,
                    c.hashedAssetPattern,
                    `matches the unhashed path ${frozen}: such files would be served immutable for a year; require the hash part, e.g. "[.-][0-9a-f]{8,}\\.[a-z0-9]+$"`,
                ),
            );
        }
    }
    out.push(...checkAllowedMethods(`${p}.allowedMethods`, c.allowedMethods));
    return out;
}

function checkAllowedMethods(path: string, methods: string[]): ConfigIssue[] {
    const out = methods.flatMap((m, i) =>
        (EDGE_METHODS as readonly string[]).includes(m)
            ? []
            : [
                  issue(
                      `${path}[${i}]`,
                      m,
                      `must be one of ${EDGE_METHODS.join(", ")} (upper case); other methods (TRACE, PROPFIND, PURGE...) are always refused`,
                  ),
              ],
    );
    if (!methods.includes("GET") || !methods.includes("HEAD")) {
        out.push(
            issue(
                path,
                methods,
                "must include GET and HEAD: the site cannot be served without them",
            ),
        );
    }
    return out;
}

export function checkTags(tags: Record<string, string>): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    const allowed = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
    for (const [k, v] of Object.entries(tags)) {
        const path = `tags.${k}`;
        if (k.length < 1 || k.length > 128 || !allowed.test(k)) {
            out.push(
                issue(
                    path,
                    k,
                    "tag keys are 1-128 characters of letters, digits, spaces and _ . : / = + - @",
                ),
            );
        } else if (k.toLowerCase().startsWith("aws:")) {
            out.push(issue(path, k, `the "aws:" prefix is reserved for AWS; rename the tag`));
        }
        if (v.length > 256 || !allowed.test(v)) {
            out.push(
                issue(
                    path,
                    v,
                    "tag values are at most 256 characters of letters, digits, spaces and _ . : / = + - @",
                ),
            );
        }
    }
    if (Object.keys(tags).length > 50) {
        out.push(
            issue(
                "tags",
                Object.keys(tags).length,
                "AWS allows at most 50 tags per resource, including the 4 defaults (project, stack, environment, managed-by)",
            ),
        );
    }
    return out;
}

/** Rules that span sections. */
export function checkCrossSection(cfg: PlatformConfig): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    if (cfg.production) {
        out.push(
            ...(cfg.capacity.min < 2
                ? [
                      issue(
                          "capacity.min",
                          cfg.capacity.min,
                          "production stacks run at least 2 tasks/instances (one per AZ) so a deploy or an AZ failure keeps serving",
                      ),
                  ]
                : []),
        );
    }
    return out;
}

/**
 * Things worth a warning but not an error (AWS accepts them; they are usually not what you want).
 * `loadConfig` callers may log them with pulumi.log.warn.
 */
export function configWarnings(cfg: PlatformConfig): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    const detect = detectionSeconds(cfg.healthCheck);
    if (detect > 30) {
        out.push(
            issue(
                "healthCheck.unhealthyThreshold",
                cfg.healthCheck.unhealthyThreshold,
                `a dead target stays in rotation for ${detect} s (interval x unhealthyThreshold); aim for <= 30 s`,
            ),
        );
    }
    if (cfg.production && !cfg.loadBalancer.deletionProtection) {
        out.push(
            issue(
                "loadBalancer.deletionProtection",
                false,
                "production stack without ALB deletion protection",
            ),
        );
    }
    if (cfg.production && cfg.database.enabled && !cfg.database.deletionProtection) {
        out.push(
            issue(
                "database.deletionProtection",
                false,
                "production stack without database deletion protection",
            ),
        );
    }
    if (cfg.production && cfg.database.enabled && !cfg.database.multiAz) {
        out.push(
            issue("database.multiAz", false, "production database without a Multi-AZ standby"),
        );
    }
    if (cfg.production && cfg.monitoring.alarmEmails.length === 0) {
        out.push(issue("monitoring.alarmEmails", [], "production stack without alarm recipients"));
    }
    if (cfg.network.kind === "new" && cfg.network.natGateways === "none") {
        out.push(
            issue(
                "network.natGateways",
                "none",
                "private subnets without NAT: tasks need VPC endpoints to pull images and reach AWS APIs",
            ),
        );
    }
    return out;
}

// ---- usage (issue 16: cost model) -----------------------------------------------------------
/** The usage section: known keys only, each a number in its range (policy/cost/usage.ts). */
export function checkUsage(raw: unknown): ConfigIssue[] {
    return usageProblems(raw, configKey("usage")).map((p) => ({
        ...p,
        message: `${p.message}; e.g. \`pulumi config set --path '${configKey("usage.requestsPerMonth")}' 5000000\` (docs/cost.md)`,
    }));
}
// ---- end usage ---------------------------------------------------------------------------------
