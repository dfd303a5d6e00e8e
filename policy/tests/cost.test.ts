// The cost model (hand-worked expectations) and the cost-budget policy (through the pack helpers).
import { strict as assert } from "assert";
import { estimateCost, topDrivers } from "../cost/model";
import { loadPriceBook, NoPricingError, pricedRegions } from "../cost/pricing";
import { deriveRegion } from "../cost/region";
import { CostEstimate, CostResource, PriceBook, PriceEntry, Usage } from "../cost/types";
import { DEFAULT_USAGE, usageProblems } from "../cost/usage";
import { messages, one, res, T } from "./helpers";

// A fixed price book (us-east-1 list prices on 2026-11-28) so the hand-worked figures below do not
// move when the price files are refreshed.
const p = (price: number, unit = "unit"): PriceEntry => ({
    unit,
    price,
    source: "test",
    date: "2026-11-28",
    verified: true,
});
const BOOK: PriceBook = {
    region: "us-east-1",
    currency: "USD",
    hoursPerMonth: 730,
    generated: "2026-11-28",
    prices: {
        "alb.hour": p(0.0225),
        "alb.lcuHour": p(0.008),
        "dataTransfer.outGb": p(0.09),
        "fargate.x86.vcpuHour": p(0.04048),
        "fargate.x86.gbHour": p(0.004445),
        "fargate.spot.factor": p(0.3),
        "ec2.t3.medium.hour": p(0.0416),
        "ec2.spot.factor": p(0.35),
        "ebs.gp3.gbMonth": p(0.08),
        "rds.db.r6g.large.hour": p(0.225),
        "rds.gp3.gbMonth": p(0.115),
        "rds.backup.gbMonth": p(0.095),
        "elasticache.cache.t4g.micro.hour": p(0.016),
    },
    vcpus: { "db.r6g.large": 2 },
};
const ZERO_USAGE: Usage = {
    ...DEFAULT_USAGE,
    requestsPerMonth: 0,
    dataTransferOutGb: 0,
    natProcessedGb: 0,
    logIngestionGb: 0,
    s3StorageGb: 0,
    kmsRequestsPerMonth: 0,
    secretsApiCallsPerMonth: 0,
    snsNotificationsPerMonth: 0,
};

function cr(
    type: string,
    name: string,
    props: Record<string, unknown>,
    extra: Partial<CostResource> = {},
): CostResource {
    return { urn: `urn:pulumi:test::p::${type}::${name}`, type, name, props, ...extra };
}
/** The list of priced classes in a message, elided (it changes with the price file). */
const redactPriced = (m: string) => m.replace(/[(]priced: [^)]*[)]/, "(priced: ...)");
const line = (e: CostEstimate, item: RegExp) => e.lines.find((l) => item.test(l.item));

describe("cost model: hand-worked estimates", () => {
    it("one ALB with two Fargate tasks (max 4)", () => {
        const alb = cr(T.lb, "alb", { loadBalancerType: "application" });
        const td = cr(T.taskDef, "task", {
            family: "web",
            cpu: "512",
            memory: "1024",
            requiresCompatibilities: ["FARGATE"],
        });
        const svc = cr(T.ecsService, "svc", {
            name: "svc-1",
            launchType: "FARGATE",
            desiredCount: 2,
            taskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/web:1",
        });
        const target = cr(T.scalingTarget, "target", {
            serviceNamespace: "ecs",
            resourceId: "service/cluster/svc-1",
            maxCapacity: 4,
        });
        // 73 GB a month = 0.1 GB/hour = 0.1 LCU (1,000,000 requests = 0.38 new connections/s = 0.015 LCU: lower).
        const e = estimateCost([alb, td, svc, target], BOOK, {
            ...ZERO_USAGE,
            requestsPerMonth: 1_000_000,
            dataTransferOutGb: 73,
        });
        assert.equal(line(e, /^load balancer hours/)!.monthly, 16.43); // 730 h x $0.0225 = $16.425
        assert.equal(line(e, /^LCU-hours/)!.monthly, 0.58); // 0.1 LCU x 730 h = 73 x $0.008 = $0.584
        assert.equal(line(e, /^data transfer out/)!.monthly, 6.57); // 73 GB x $0.09
        const vcpu = line(e, /^Fargate vCPU-hours/)!;
        assert.equal(vcpu.quantity, 730); // 2 tasks x 0.5 vCPU x 730 h
        assert.equal(vcpu.monthly, 29.55); // 730 x $0.04048 = $29.5504
        assert.equal(vcpu.monthlyAtMax, 59.1); // 4 tasks: 1,460 x $0.04048 = $59.1008
        assert.equal(line(e, /^Fargate GB-hours/)!.monthly, 6.49); // 2 x 1 GB x 730 = 1,460 x $0.004445 = $6.4897
        assert.equal(e.monthlyUsd, 59.62); // 16.43 + 0.58 + 6.57 + 29.55 + 6.49
        assert.equal(e.monthlyUsdAtMax, 95.66); // 16.43 + 0.58 + 6.57 + 59.10 + 12.98
    });

    it("an EC2 Auto Scaling group with a spot mix (base 1, 25% on-demand above it)", () => {
        const lt = cr(T.launchTemplate, "lt", {
            id: "lt-1",
            instanceType: "t3.medium",
            blockDeviceMappings: [
                { deviceName: "/dev/xvda", ebs: { volumeSize: 30, volumeType: "gp3" } },
            ],
        });
        const asg = cr(T.asg, "asg", {
            minSize: 2,
            desiredCapacity: 4,
            maxSize: 10,
            mixedInstancesPolicy: {
                instancesDistribution: {
                    onDemandBaseCapacity: 1,
                    onDemandPercentageAboveBaseCapacity: 25,
                },
                launchTemplate: {
                    launchTemplateSpecification: { launchTemplateId: "lt-1" },
                    overrides: [{ instanceType: "t3.medium" }],
                },
            },
        });
        const e = estimateCost([lt, asg], BOOK, ZERO_USAGE);
        // Desired 4: on-demand = 1 + ceil(3 x 25%) = 2, spot 2. Max 10: 1 + ceil(9 x 25%) = 4, spot 6.
        const od = line(e, /^on-demand instance hours/)!;
        assert.deepEqual([od.quantity, od.quantityAtMax], [1460, 2920]);
        assert.deepEqual([od.monthly, od.monthlyAtMax], [60.74, 121.47]); // 1,460 x $0.0416; 2,920 x $0.0416
        const spot = line(e, /^spot instance hours/)!;
        assert.ok(Math.abs(spot.price - 0.01456) < 1e-9); // $0.0416 x 0.35
        assert.deepEqual([spot.monthly, spot.monthlyAtMax], [21.26, 63.77]); // 1,460 h; 4,380 h
        const ebs = line(e, /^EBS gp3 GB-months/)!;
        assert.deepEqual([ebs.monthly, ebs.monthlyAtMax], [9.6, 24]); // 4 x 30 GB x $0.08; 10 x 30 GB
        assert.deepEqual([e.monthlyUsd, e.monthlyUsdAtMax], [91.6, 209.24]);
    });

    it("a Multi-AZ RDS instance with a read replica", () => {
        const primary = cr("aws:rds/instance:Instance", "primary", {
            identifier: "db-primary",
            instanceClass: "db.r6g.large",
            multiAz: true,
            allocatedStorage: 100,
            storageType: "gp3",
            backupRetentionPeriod: 7,
            performanceInsightsEnabled: true,
            performanceInsightsRetentionPeriod: 7,
        });
        const replica = cr("aws:rds/instance:Instance", "replica", {
            instanceClass: "db.r6g.large",
            replicateSourceDb: "db-primary",
            storageType: "gp3",
            backupRetentionPeriod: 0,
        });
        const e = estimateCost([primary, replica], BOOK, {
            ...ZERO_USAGE,
            dbBackupChangePercentPerDay: 2,
        });
        const byResource = (name: string) =>
            e.lines.filter((l) => l.resource === name).map((l) => l.monthly);
        // Primary: 2 x 730 h x $0.225 = $328.50 (Multi-AZ doubles); 100 GB x 2 x $0.115 = $23.00;
        // backup beyond the free 100 GB: 100 GB x 7 days x 2% = 14 GB x $0.095 = $1.33; PI at 7 days is free.
        assert.deepEqual(byResource("primary"), [328.5, 23, 1.33]);
        // Replica: 730 h x $0.225 = $164.25; storage inherited from the primary: 100 GB x $0.115 = $11.50.
        assert.deepEqual(byResource("replica"), [164.25, 11.5]);
        assert.equal(e.monthlyUsd, 528.58);
        assert.deepEqual(e.problems, []);
    });
});

describe("cost model: bad input and edges", () => {
    it("names an unknown instance class and node type in a clear error", () => {
        const db = cr("aws:rds/instance:Instance", "db", {
            instanceClass: "db.x9.huge",
            allocatedStorage: 20,
            storageType: "gp3",
        });
        const cache = cr("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {
            nodeType: "cache.q1.tiny",
            numCacheClusters: 2,
        });
        const e = estimateCost([db, cache], BOOK, ZERO_USAGE);
        assert.equal(e.problems.map((x) => x.message).length, 2);
        assert.match(
            e.problems[0].message,
            /"db": instanceClass "db\.x9\.huge" has no price in policy\/pricing\/us-east-1\.json [(]priced: db\.r6g\.large[)]\. Fix:/,
        );
        assert.match(
            e.problems[1].message,
            /"cache": nodeType "cache\.q1\.tiny" has no price .*[(]priced: cache\.t4g\.micro[)]/,
        );
    });

    it("prices the NAT gateways an awsx VPC will create, and never twice when they are listed", () => {
        const vpc = cr("awsx:ec2:Vpc", "vpc", {
            availabilityZoneNames: ["us-east-1a", "us-east-1b"],
            natGateways: { strategy: "OnePerAz" },
            subnetSpecs: [{ type: "Public" }, { type: "Private" }],
        });
        const book = {
            ...BOOK,
            prices: { ...BOOK.prices, "nat.hour": p(0.045), "nat.gb": p(0.045) },
        };
        const derived = estimateCost([vpc], book, ZERO_USAGE);
        assert.deepEqual(
            derived.lines.map((l) => l.quantity),
            [1460],
        ); // 2 gateways x 730 h
        const listed = estimateCost(
            [vpc, cr("aws:ec2/natGateway:NatGateway", "nat-a", {})],
            book,
            ZERO_USAGE,
        );
        assert.deepEqual(
            listed.lines.map((l) => [l.resource, l.quantity]),
            [["nat-a", 730]],
        );
    });

    it("splits Fargate tasks onto Fargate Spot by the capacity provider strategy (base first, then weights)", () => {
        const td = cr(T.taskDef, "task", { family: "jobs", cpu: "1024", memory: "2048" });
        const svc = cr(T.ecsService, "svc", {
            desiredCount: 5,
            taskDefinition: "jobs",
            capacityProviderStrategies: [
                { capacityProvider: "FARGATE", base: 1, weight: 1 },
                { capacityProvider: "FARGATE_SPOT", weight: 3 },
            ],
        });
        const e = estimateCost([td, svc], BOOK, ZERO_USAGE);
        // 1 base task on demand, then 4 split 1:3 -> 2 on demand, 3 spot.
        assert.equal(line(e, /^Fargate vCPU-hours/)!.quantity, 2 * 730);
        assert.equal(line(e, /^Fargate Spot vCPU-hours/)!.quantity, 3 * 730);
        assert.ok(Math.abs(line(e, /^Fargate Spot vCPU-hours/)!.price - 0.04048 * 0.3) < 1e-12);
    });

    it("prices a release's overlap: the new revision at full size beside the old, per strategy", () => {
        const td = cr(T.taskDef, "task", { family: "web", cpu: "512", memory: "1024" });
        const target = cr(T.scalingTarget, "target", {
            serviceNamespace: "ecs",
            resourceId: "service/cluster/svc-1",
            maxCapacity: 4,
        });
        const priced = (deploymentConfiguration: unknown, releasesPerMonth = 20) => {
            const svc = cr(T.ecsService, "svc", {
                name: "svc-1",
                launchType: "FARGATE",
                desiredCount: 2,
                taskDefinition: "web",
                deploymentConfiguration,
            });
            const e = estimateCost([td, svc, target], BOOK, { ...ZERO_USAGE, releasesPerMonth });
            return line(e, /^release overlap: Fargate vCPU-hours/);
        };
        // Blue/green: 5 min to start and test + 10 min bake = 15 min; 20 releases = 5 h a month.
        const blueGreen = priced({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" })!;
        assert.equal(blueGreen.quantity, 2 * 0.5 * 5); // 2 tasks x 0.5 vCPU x 5 h
        assert.equal(blueGreen.quantityAtMax, 4 * 0.5 * 5);
        assert.match(blueGreen.item, /20 releases x 15 min/);
        // Canary: + its canary bake (5 + 5 + 10 = 20 min); linear: + every step's bake (5 + 4 x 2 + 10).
        const canary = {
            strategy: "CANARY",
            bakeTimeInMinutes: "10",
            canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" },
        };
        assert.match(priced(canary)!.item, /x 20 min/);
        const linear = {
            strategy: "LINEAR",
            bakeTimeInMinutes: "10",
            linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "2" },
        };
        assert.match(priced(linear)!.item, /x 23 min/);
        assert.equal(priced({ strategy: "ROLLING" }), undefined);
        assert.equal(priced(undefined), undefined);
        assert.equal(priced({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" }, 0), undefined);
    });

    it("derives the region from AZ names and ARNs, and has price files for the four regions", () => {
        assert.equal(
            deriveRegion([
                cr("aws:rds/instance:Instance", "db", { availabilityZone: "eu-central-1b" }),
            ]),
            "eu-central-1",
        );
        assert.equal(
            deriveRegion([
                cr("aws:sns/topic:Topic", "t", {
                    kmsMasterKeyId: "arn:aws:kms:ap-southeast-1:1:key/x",
                }),
            ]),
            "ap-southeast-1",
        );
        assert.equal(deriveRegion([cr("aws:sns/topic:Topic", "t", {})]), undefined);
        assert.deepEqual(
            ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-1"].filter(
                (x) => !pricedRegions().includes(x),
            ),
            [],
        );
        assert.throws(
            () => loadPriceBook("sa-east-1"),
            (e: unknown) =>
                e instanceof NoPricingError &&
                /no pricing data for region sa-east-1 .*--no-cost/.test(e.message),
        );
    });

    it("every price entry records its unit, a positive price, its source page and date, and says whether it was verified", () => {
        for (const region of pricedRegions()) {
            for (const [key, entry] of Object.entries(loadPriceBook(region).prices)) {
                assert.ok(typeof entry.unit === "string" && entry.unit !== "", `${region} ${key}`);
                assert.ok(entry.price > 0, `${region} ${key}`);
                assert.match(entry.source, /^https:\/\//, `${region} ${key}`);
                assert.match(entry.date, /^\d{4}-\d{2}-\d{2}$/, `${region} ${key}`);
                assert.equal(typeof entry.verified, "boolean", `${region} ${key}`);
                if (!entry.verified) {
                    assert.match(entry.note ?? "", /without a re-check/, `${region} ${key}`);
                }
            }
        }
    });

    it("rejects a malformed usage object key by key", () => {
        assert.deepEqual(
            usageProblems({ requestsPerMonth: -1, logGb: 3 }, "cost-budget.usage").map(
                (x) => x.key,
            ),
            ["cost-budget.usage.requestsPerMonth", "cost-budget.usage.logGb"],
        );
        assert.match(usageProblems([1], "u")[0].message, /must be an object/);
        assert.deepEqual(usageProblems({ natProcessedGb: 3 }, "u"), []);
    });

    it("ranks the top cost drivers by resource", () => {
        const db = cr("aws:rds/instance:Instance", "big", {
            instanceClass: "db.r6g.large",
            allocatedStorage: 10,
            storageType: "gp3",
        });
        const cache = cr("aws:elasticache/replicationGroup:ReplicationGroup", "small", {
            nodeType: "cache.t4g.micro",
            numCacheClusters: 1,
        });
        assert.deepEqual(
            topDrivers(estimateCost([cache, db], BOOK, ZERO_USAGE), 3).map((d) => d.resource),
            ["big", "small"],
        );
    });
});

describe("cost-budget policy", () => {
    const stack = () => [
        res("pulumi:pulumi:Stack", "web-platform-dev", {}),
        res(T.lb, "alb", {
            loadBalancerType: "application",
            subnets: ["subnet-1"],
            availabilityZones: [],
        }),
        res("aws:rds/instance:Instance", "db", {
            instanceClass: "db.r6g.large",
            allocatedStorage: 100,
            storageType: "gp3",
            multiAz: true,
            availabilityZone: "us-east-1a",
        }),
        res("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {
            nodeType: "cache.t4g.micro",
            numCacheClusters: 2,
        }),
    ];

    it("fails a budget below the estimate and names the top three cost drivers", async () => {
        const r = await one("cost-budget", stack(), {
            "cost-budget": {
                monthlyBudgetUsd: 100,
                usage: { requestsPerMonth: 0, dataTransferOutGb: 0 },
            },
        });
        const m = messages(r);
        assert.equal(m.length, 1);
        assert.equal(r.violations[0].enforcementLevel, "mandatory");
        assert.match(
            m[0],
            /monthly cost estimate \$[\d,.]+ at desired capacity [(]us-east-1[)] exceeds the budget \$100\.00 by/,
        );
        assert.match(
            m[0],
            /Top cost drivers: aws:rds\/instance:Instance "db" \$[\d,.]+; aws:elasticache\/replicationGroup:ReplicationGroup "cache" \$[\d,.]+; aws:lb\/loadBalancer:LoadBalancer "alb" \$[\d,.]+\. Fix:/,
        );
    });

    it("passes within the budget, and is not applicable without one", async () => {
        assert.deepEqual(
            (await one("cost-budget", stack(), { "cost-budget": { monthlyBudgetUsd: 5000 } }))
                .violations,
            [],
        );
        const off = await one("cost-budget", stack());
        assert.deepEqual(off.violations, []);
        assert.deepEqual(
            off.notApplicable.map((x) => x.reason),
            ["no monthlyBudgetUsd set in the policy config"],
        );
    });

    it("judges the max-capacity figure only with atMaxCapacity", async () => {
        const svc = [
            res("pulumi:pulumi:Stack", "s", {}),
            res(T.taskDef, "task", {
                family: "web",
                cpu: "1024",
                memory: "2048",
                runtimePlatform: { cpuArchitecture: "X86_64" },
            }),
            res(T.ecsService, "svc", {
                name: "svc",
                launchType: "FARGATE",
                desiredCount: 1,
                taskDefinition: "web:1",
                networkConfiguration: { subnets: ["subnet-1"] },
            }),
            res(T.scalingTarget, "target", {
                serviceNamespace: "ecs",
                resourceId: "service/c/svc",
                maxCapacity: 10,
                minCapacity: 1,
            }),
        ];
        // 1 task ~ $36/month, 10 tasks ~ $360/month (1 vCPU + 2 GB at us-east-1 prices).
        const cfg = { monthlyBudgetUsd: 100, region: "us-east-1", usage: { requestsPerMonth: 0 } };
        assert.deepEqual((await one("cost-budget", svc, { "cost-budget": cfg })).violations, []);
        const atMax = messages(
            await one("cost-budget", svc, { "cost-budget": { ...cfg, atMaxCapacity: true } }),
        );
        assert.equal(atMax.length, 1);
        assert.match(atMax[0], /at max capacity [(]us-east-1[)] exceeds the budget \$100\.00/);
    });

    it("judges a release's overlap: the budget holds without releases and fails with them", async () => {
        const svc = [
            res("pulumi:pulumi:Stack", "s", {}),
            res(T.taskDef, "task", { family: "web", cpu: "1024", memory: "2048" }),
            res(T.ecsService, "svc", {
                name: "svc",
                launchType: "FARGATE",
                desiredCount: 1,
                taskDefinition: "web:1",
                networkConfiguration: { subnets: ["subnet-1"] },
                deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: "1440" },
            }),
        ];
        // 1 task ~ $36/month; 100 releases x (5 + 1,440) min ~ 2,408 task-hours more ~ $119.
        const cfg = (releasesPerMonth: number) => ({
            "cost-budget": {
                monthlyBudgetUsd: 100,
                region: "us-east-1",
                usage: { requestsPerMonth: 0, releasesPerMonth },
            },
        });
        assert.deepEqual((await one("cost-budget", svc, cfg(0))).violations, []);
        const over = messages(await one("cost-budget", svc, cfg(100)));
        assert.equal(over.length, 1);
        assert.match(over[0], /exceeds the budget \$100\.00/);
    });

    it("names an unknown instance class on its resource", async () => {
        const r = await one(
            "cost-budget",
            [
                res("aws:rds/instance:Instance", "db", {
                    instanceClass: "db.nope.large",
                    availabilityZone: "us-east-1a",
                }),
            ],
            { "cost-budget": { monthlyBudgetUsd: 100 } },
        );
        assert.deepEqual(
            r.violations.map((v) => [v.name, redactPriced(v.message)]),
            [
                [
                    "db",
                    'aws:rds/instance:Instance "db": instanceClass "db.nope.large" has no price in policy/pricing/us-east-1.json (priced: ...). Fix: use a priced instanceClass, or add "rds.db.nope.large.hour" to the price file (npm run pricing:refresh) (the estimate leaves it out)',
                ],
            ],
        );
    });

    it("says clearly when the region has no price file or cannot be told", async () => {
        const r = await one(
            "cost-budget",
            [
                res("aws:rds/instance:Instance", "db", {
                    instanceClass: "db.r6g.large",
                    availabilityZone: "sa-east-1a",
                }),
            ],
            { "cost-budget": { monthlyBudgetUsd: 100 } },
        );
        assert.match(
            messages(r)[0],
            /no pricing data for region sa-east-1 [(]priced regions: ap-southeast-1, eu-central-1, eu-west-1, us-east-1[)]/,
        );
        const unknown = await one("cost-budget", [res("aws:sns/topic:Topic", "t", {})], {
            "cost-budget": { monthlyBudgetUsd: 100 },
        });
        assert.match(
            messages(unknown)[0],
            /cannot tell the stack's AWS region .*set cost-budget\.region/,
        );
    });

    it("rejects a malformed usage in the policy config, naming the key", async () => {
        let error: Error | undefined;
        try {
            await one("cost-budget", stack(), {
                "cost-budget": { monthlyBudgetUsd: 100, usage: { requestsPerMonth: "lots" } },
            });
        } catch (e) {
            error = e as Error;
        }
        assert.match(
            error?.message ?? "",
            /"cost-budget"\.usage\.requestsPerMonth: expected number, got string "lots"/,
        );
    });
});
