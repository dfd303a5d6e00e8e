// Benchmark program: N copies of the load balancer + scaling service pair (the platform's core),
// wired like platform.ts but over fixed subnets, to measure how plan time grows with stack size.
// N comes from BENCH_PAIRS (default 1). Uses the stack's config (dev by default).
import { loadConfig } from "../../config/load";
import { LoadBalancer } from "../../components/loadBalancer";
import { ScalingService } from "../../components/scalingService";
import { loadBalancerArgs } from "../../platform";

const pairs = Math.max(1, Number(process.env.BENCH_PAIRS ?? "1"));
const cfg = loadConfig();
const vpcId = "vpc-0a1b2c3d4e5f60718";
const publicSubnetIds = ["subnet-0a00000000000000a", "subnet-0b00000000000000b"];
const privateSubnetIds = ["subnet-0c00000000000000c", "subnet-0d00000000000000d"];
const certificateArn = `arn:aws:acm:${cfg.region}:123456789012:certificate/00000000-0000-4000-8000-000000000000`;

export const dnsNames = Array.from({ length: pairs }, (_, i) => {
    const lb = new LoadBalancer(
        `bench-${i}-lb`,
        loadBalancerArgs(cfg, { vpcId, publicSubnetIds, certificateArn }),
    );
    new ScalingService(`bench-${i}-web`, {
        role: "web",
        vpcId,
        subnetIds: privateSubnetIds,
        container: cfg.app,
        compute: cfg.compute,
        capacity: cfg.capacity,
        scaling: cfg.scaling,
        loadBalancer: lb.serviceLoadBalancing(),
        region: cfg.region,
        retainLogs: cfg.production,
        tags: cfg.tags,
    });
    return lb.dnsName;
});
