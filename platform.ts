import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import { PlatformConfig } from "./config/types";
import { Network } from "./components/network";
import { albIngressRules, LoadBalancer, LoadBalancerArgs } from "./components/loadBalancer";
import { ScalingService } from "./components/scalingService";
import { DataTier } from "./components/dataTier";
import { Monitoring, MonitoredCompute } from "./components/monitoring";
import { CdnWorker, EdgeRanges, ManagedCertificate, getCloudflareRanges } from "./components/cdnWorker";

/** What the stack exports. */
export interface PlatformOutputs {
    url: pulumi.Output<string>;
    albDnsName: pulumi.Output<string>;
    targetGroupArn: pulumi.Output<string>;
    serviceName?: pulumi.Output<string>;
    clusterName?: pulumi.Output<string>;
    autoScalingGroupName?: pulumi.Output<string>;
    workerServiceNames: pulumi.Output<string>[];
    vpcId: pulumi.Output<string>;
    publicSubnetIds: pulumi.Output<string[]>;
    privateSubnetIds: pulumi.Output<string[]>;
    databaseWriterEndpoint?: pulumi.Output<string>;
    databaseReaderEndpoints?: pulumi.Output<string[]>;
    cachePrimaryEndpoint?: pulumi.Output<string>;
    cacheReaderEndpoint?: pulumi.Output<string>;
    alarmTopicArn: pulumi.Output<string>;
    dashboardName: pulumi.Output<string>;
}

/** The first `count` available AZs of the region, in order (what awsx would pick). */
async function pickAvailabilityZones(count: number): Promise<string[]> {
    const zones = await aws.getAvailabilityZones({ state: "available" });
    if (zones.names.length < count) {
        throw new Error(`web-platform:network.azCount is ${count} but the region offers ${zones.names.length} availability zones: lower network.azCount`);
    }
    return zones.names.slice(0, count);
}

/** The load balancer as the config sets it up; the caller wires the VPC, certificate and origin ranges. */
export function loadBalancerArgs(
    cfg: PlatformConfig,
    wiring: Pick<LoadBalancerArgs, "vpcId" | "publicSubnetIds" | "certificateArn" | "originCidrs">,
): LoadBalancerArgs {
    return {
        ...wiring,
        appPort: cfg.app.port,
        targetType: cfg.compute.mode === "fargate" ? "ip" : "instance",
        healthCheck: cfg.healthCheck,
        settings: cfg.loadBalancer,
        waf: cfg.waf,
        production: cfg.production,
        tags: cfg.tags,
    };
}

/** Wires the components for one stack. Every decision lives in config/ and the components. */
export async function buildPlatform(cfg: PlatformConfig): Promise<PlatformOutputs> {
    const prefix = cfg.project === cfg.stack ? cfg.project : `${cfg.project}-${cfg.stack}`;
    const tags = cfg.tags;

    // Look everything up and check what depends on it before the first cloud resource is registered:
    // a failure here leaves nothing half-built.
    // Pin the AZs of a new VPC so the database replicas land in the same AZs as its subnets.
    const availabilityZones = cfg.network.kind === "new" ? await pickAvailabilityZones(cfg.network.azCount) : undefined;

    let cfProvider: cloudflare.Provider | undefined;
    let originCidrs: EdgeRanges | undefined;
    if (cfg.cdn.enabled) {
        cfProvider = new cloudflare.Provider(`${prefix}-cloudflare`, {
            apiToken: new pulumi.Config("cloudflare").requireSecret("apiToken"),
        });
        originCidrs = await getCloudflareRanges(cfProvider);
    }
    // The ALB's ingress must fit the security-group rule quota with the CDN's current ranges.
    albIngressRules(cfg.loadBalancer, originCidrs);
    if (!cfg.loadBalancer.certificateArn && !cfProvider) {
        // parseConfig rejects this combination; kept as a guard for callers that skip it.
        throw new Error("web-platform:loadBalancer.certificateArn is required when the CDN is off");
    }

    // Without a configured certificate the CDN path requests one and validates it in the zone.
    const certificateArn: pulumi.Input<string> = cfg.loadBalancer.certificateArn ?? new ManagedCertificate(`${prefix}-cert`, {
        domain: cfg.cdn.domain,
        includeWww: cfg.cdn.includeWww,
        zoneId: cfg.cdn.zoneId,
        provider: cfProvider!,
        tags,
    }).certificateArn;

    const network = new Network(`${prefix}-net`, { config: cfg.network, tags, availabilityZoneNames: availabilityZones });

    const lb = new LoadBalancer(`${prefix}-lb`, loadBalancerArgs(cfg, {
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        certificateArn,
        originCidrs,
    }));

    const data = new DataTier(`${prefix}-data`, {
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        availabilityZones,
        database: cfg.database,
        cache: cfg.cache,
        production: cfg.production,
        tags,
    });

    // What the app's code base needs wherever it runs (web and every worker): filesystem contract,
    // the data tier's endpoints and secrets, and the keys to decrypt them. Fresh values per service.
    const appRuntime = () => ({
        readonlyRootFilesystem: cfg.app.readonlyRootFilesystem,
        writablePaths: cfg.app.writablePaths,
        extraEnvironment: data.appEnvironment(),
        secrets: data.appSecrets(),
        secretArns: data.secretArns(),
        kmsKeyArns: data.kmsKeyArns(),
    });
    const web = new ScalingService(`${prefix}-web`, {
        role: "web",
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        container: cfg.app,
        ...appRuntime(),
        compute: cfg.compute,
        capacity: cfg.capacity,
        scaling: cfg.scaling,
        loadBalancer: lb.serviceLoadBalancing(),
        region: cfg.region,
        production: cfg.production,
        tags,
    });
    data.allowClient("web", web.securityGroupId);

    const workers = cfg.workers.map((w) => {
        const worker = new ScalingService(`${prefix}-worker-${w.name}`, {
            role: "worker",
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            container: { image: w.image, cpu: w.cpu, memory: w.memory, command: w.command, environment: w.environment },
            // Workers run the app's code base: same filesystem contract and data-tier access as web.
            ...appRuntime(),
            // Workers always run on Fargate in the web service's cluster when it has one.
            compute: { ...cfg.compute, mode: "fargate" },
            capacity: w.capacity,
            scaling: {
                ...cfg.scaling,
                strategy: "target-tracking",
                cpuTarget: w.cpuTarget,
                memoryTarget: undefined,
                requestsPerTarget: undefined,
                scaleOutCooldown: w.scaleOutCooldown,
                scaleInCooldown: w.scaleInCooldown,
            },
            queueMetric: w.queueMetric,
            clusterArn: web.clusterArn,
            region: cfg.region,
            production: cfg.production,
            tags,
        });
        data.allowClient(`worker-${w.name}`, worker.securityGroupId);
        return { config: w, service: worker };
    });

    const compute: MonitoredCompute[] = [
        web.serviceName && web.clusterName
            ? { kind: "ecs", name: "web", clusterName: web.clusterName, serviceName: web.serviceName }
            : { kind: "asg", name: "web", autoScalingGroupName: web.autoScalingGroupName! },
        ...workers.map(({ config, service }): MonitoredCompute => ({
            kind: "ecs",
            name: `worker-${config.name}`,
            clusterName: service.clusterName!,
            serviceName: service.serviceName!,
        })),
    ];

    const monitoring = new Monitoring(`${prefix}-monitoring`, {
        config: cfg.monitoring,
        region: cfg.region,
        alb: { arnSuffix: lb.albArnSuffix, targetGroupArnSuffix: lb.targetGroupArnSuffix },
        compute,
        database: cfg.database.enabled && data.primaryIdentifier
            ? { primaryIdentifier: data.primaryIdentifier, replicaIdentifiers: data.replicaIdentifiers ?? [] }
            : undefined,
        cache: cfg.cache.enabled && data.cacheReplicationGroupId && data.cacheMemberClusterIds
            ? {
                replicationGroupId: data.cacheReplicationGroupId,
                memberClusterIds: data.cacheMemberClusterIds,
                numNodes: cfg.cache.numNodes,
            }
            : undefined,
        tags,
    });

    let url: pulumi.Output<string> = pulumi.interpolate`https://${lb.dnsName}`;
    if (cfg.cdn.enabled && cfProvider) {
        const cdn = new CdnWorker(`${prefix}-cdn`, {
            config: cfg.cdn,
            originHostname: lb.dnsName,
            healthPath: cfg.healthCheck.path,
            provider: cfProvider,
        });
        url = cdn.url;
    }

    return {
        url,
        albDnsName: lb.dnsName,
        targetGroupArn: lb.targetGroupArn,
        serviceName: web.serviceName,
        clusterName: web.clusterName,
        autoScalingGroupName: web.autoScalingGroupName,
        workerServiceNames: workers.map(({ service }) => service.serviceName!).filter((n) => n !== undefined),
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        databaseWriterEndpoint: data.writerEndpoint,
        databaseReaderEndpoints: data.readerEndpoints,
        cachePrimaryEndpoint: data.cachePrimaryEndpoint,
        cacheReaderEndpoint: data.cacheReaderEndpoint,
        alarmTopicArn: monitoring.alarmTopicArn,
        dashboardName: monitoring.dashboardName,
    };
}
