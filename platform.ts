import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { LoadBalancerConfig, PlatformConfig } from "./config/types";
import { stackLifecycle } from "./config/lifecycle";
import { checkAzCountInRegion } from "./config/rules";
import { allowAccess } from "./components/access";
import { Network, NetworkArgs } from "./components/network";
import {
    albIngressRules,
    LoadBalancer,
    LoadBalancerArgs,
    LoadBalancerSettings,
    originPrefixListRules,
} from "./components/loadBalancer";
import { ScalingService, ScalingServiceArgs } from "./components/scalingService";
import { DataTier } from "./components/dataTier";
import { Monitoring, MonitoringArgs, MonitoredCompute } from "./components/monitoring";
import {
    CdnWorker,
    CdnWorkerArgs,
    ManagedCertificate,
    cloudflareRanges,
} from "./components/cdnWorker";
import { EdgeSettings } from "./components/edgeBindings";

/** What the stack exports: every value an Output (undefined inside when the part is off). */
export interface PlatformOutputs {
    url: pulumi.Output<string>;
    albDnsName: pulumi.Output<string>;
    targetGroupArn: pulumi.Output<string>;
    serviceName: pulumi.Output<string | undefined>;
    clusterName: pulumi.Output<string | undefined>;
    autoScalingGroupName: pulumi.Output<string | undefined>;
    workerServiceNames: pulumi.Output<string[]>;
    vpcId: pulumi.Output<string>;
    publicSubnetIds: pulumi.Output<string[]>;
    privateSubnetIds: pulumi.Output<string[]>;
    databaseWriterEndpoint: pulumi.Output<string | undefined>;
    databaseReaderEndpoints: pulumi.Output<string[] | undefined>;
    cachePrimaryEndpoint: pulumi.Output<string | undefined>;
    cacheReaderEndpoint: pulumi.Output<string | undefined>;
    alarmTopicArn: pulumi.Output<string>;
    dashboardName: pulumi.Output<string>;
}

/** The network as the config sets it up. */
export function networkArgs(cfg: PlatformConfig): NetworkArgs {
    return { settings: cfg.network, tags: cfg.tags };
}

/** The ALB's settings, picked key by key from the stack's `loadBalancer` config (which also holds other args). */
export function loadBalancerSettings(lb: LoadBalancerConfig): LoadBalancerSettings {
    return {
        algorithm: lb.algorithm,
        stickiness: lb.stickiness,
        deregistrationDelay: lb.deregistrationDelay,
        idleTimeout: lb.idleTimeout,
        deletionProtection: lb.deletionProtection,
        sslPolicy: lb.sslPolicy,
        ingressCidrs: lb.ingressCidrs,
        ingressIpv6Cidrs: lb.ingressIpv6Cidrs,
        accessLogs: lb.accessLogs,
    };
}

/** The load balancer as the config sets it up; the caller wires the VPC, certificate and origin ranges. */
export function loadBalancerArgs(
    cfg: PlatformConfig,
    wiring: Pick<LoadBalancerArgs, "vpcId" | "publicSubnetIds" | "certificateArn" | "originRanges">,
): LoadBalancerArgs {
    return {
        ...wiring,
        appPort: cfg.app.port,
        targetType: cfg.compute.mode === "fargate" ? "ip" : "instance",
        healthCheck: cfg.healthCheck,
        settings: loadBalancerSettings(cfg.loadBalancer),
        waf: cfg.waf,
        originPrefixListMaxEntries: cfg.loadBalancer.originPrefixListMaxEntries,
        retainAccessLogs: stackLifecycle(cfg.production).retainAccessLogs,
        tags: cfg.tags,
    };
}

/** Monitoring's settings as the stack config chooses them; the caller wires what it watches. */
export function monitoringArgs(
    cfg: PlatformConfig,
    wiring: Pick<MonitoringArgs, "alb" | "compute" | "database" | "cache">,
): MonitoringArgs {
    const m = cfg.monitoring;
    return {
        ...wiring,
        alarmEmails: m.alarmEmails,
        thresholds: m.thresholds,
        period: m.period,
        evaluationPeriods: m.evaluationPeriods,
        region: cfg.region,
        tags: cfg.tags,
    };
}

/** The worker's settings, picked key by key from the stack's `cdn` config (which also holds where it runs). */
export function edgeSettings(cdn: EdgeSettings): EdgeSettings {
    return {
        staticExtensions: cdn.staticExtensions,
        apiPrefix: cdn.apiPrefix,
        htmlEdgeTtl: cdn.htmlEdgeTtl,
        hstsMaxAge: cdn.hstsMaxAge,
        hstsIncludeSubDomains: cdn.hstsIncludeSubDomains,
        hstsPreload: cdn.hstsPreload,
        assetEdgeTtl: cdn.assetEdgeTtl,
        cacheKeyIgnoredParams: cdn.cacheKeyIgnoredParams,
        hashedAssetPattern: cdn.hashedAssetPattern,
        sessionCookies: cdn.sessionCookies,
        originTimeout: cdn.originTimeout,
        staleIfError: cdn.staleIfError,
        allowedMethods: cdn.allowedMethods,
    };
}

/** The CDN worker as the stack config sets it up; the caller wires the origin and the provider. */
export function cdnWorkerArgs(
    cfg: PlatformConfig,
    wiring: Pick<CdnWorkerArgs, "originHostname" | "provider">,
): CdnWorkerArgs {
    return {
        ...wiring,
        accountId: cfg.cdn.accountId,
        zoneId: cfg.cdn.zoneId,
        domain: cfg.cdn.domain,
        includeWww: cfg.cdn.includeWww,
        compatibilityDate: cfg.cdn.compatibilityDate,
        edge: edgeSettings(cfg.cdn),
        healthPath: cfg.healthCheck.path,
    };
}

/**
 * Checks that need nothing from the cloud, made before the first resource registers so bad input
 * leaves nothing half-built: a new VPC's AZ count against its region's zones, the ALB's inbound
 * rules against the security group quota (per CIDR without the CDN; the prefix lists' maxEntries
 * with it) and the certificate source.
 */
export function checkBeforeRegistering(cfg: PlatformConfig): void {
    if (cfg.network.kind === "new") {
        // parseConfig reports the same as a network.azCount issue; kept for callers that skip it.
        const [tooMany] = checkAzCountInRegion(cfg.network.azCount, cfg.region);
        if (tooMany) {
            throw new Error(`${tooMany.key}: ${tooMany.message}`);
        }
    }
    if (cfg.cdn.enabled) {
        // parseConfig reports the same as loadBalancer.originPrefixListMaxEntries issues; kept for callers that skip it.
        originPrefixListRules(cfg.loadBalancer.originPrefixListMaxEntries);
    } else {
        albIngressRules(cfg.loadBalancer);
    }
    if (!cfg.loadBalancer.certificateArn && !cfg.cdn.enabled) {
        // parseConfig rejects this combination; kept as a guard for callers that skip it.
        throw new Error("web-platform:loadBalancer.certificateArn is required when the CDN is off");
    }
}

/** What every service of the app's code base gets (web and each worker): runtime contract and data access. */
function appRuntime(
    cfg: PlatformConfig,
    data: DataTier,
): Pick<
    ScalingServiceArgs,
    | "readonlyRootFilesystem"
    | "writablePaths"
    | "extraEnvironment"
    | "secrets"
    | "secretArns"
    | "kmsKeyArns"
> {
    return {
        readonlyRootFilesystem: cfg.app.readonlyRootFilesystem,
        writablePaths: cfg.app.writablePaths,
        extraEnvironment: data.appEnvironment(),
        secrets: data.appSecrets(),
        secretArns: data.secretArns(),
        kmsKeyArns: data.kmsKeyArns(),
    };
}

/** The web service and one Fargate service per worker, each admitted to the data tier. */
function createServices(
    cfg: PlatformConfig,
    prefix: string,
    network: Network,
    lb: LoadBalancer,
    data: DataTier,
): { web: ScalingService; workers: ScalingService[] } {
    const retainLogs = stackLifecycle(cfg.production).retainLogs;
    const web = new ScalingService(`${prefix}-web`, {
        role: "web",
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        container: cfg.app,
        ...appRuntime(cfg, data),
        compute: cfg.compute,
        capacity: cfg.capacity,
        scaling: cfg.scaling,
        loadBalancer: lb.serviceLoadBalancing(),
        region: cfg.region,
        retainLogs,
        tags: cfg.tags,
    });
    // The ALB reaches the app port; its group has no other egress. Rule names before the
    // access pattern: "<web>-from-alb" and "<web>-alb-to-app" (kept as aliases: same resources).
    allowAccess(
        { name: "alb", label: "the ALB", securityGroupId: lb.securityGroupId, needsEgress: true },
        web.accessPoints(),
        {
            aliases: (kind) => [
                {
                    name:
                        kind === "ingress" ? `${prefix}-web-from-alb` : `${prefix}-web-alb-to-app`,
                },
            ],
        },
    );
    allowAccess({ name: "web", securityGroupId: web.securityGroupId }, data.accessPoints());

    const workers = cfg.workers.map((w) => {
        const worker = new ScalingService(`${prefix}-worker-${w.name}`, {
            role: "worker",
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            container: {
                image: w.image,
                cpu: w.cpu,
                memory: w.memory,
                command: w.command,
                environment: w.environment,
            },
            // Workers run the app's code base: same filesystem contract and data-tier access as web.
            ...appRuntime(cfg, data),
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
            retainLogs,
            tags: cfg.tags,
        });
        allowAccess(
            { name: `worker-${w.name}`, securityGroupId: worker.securityGroupId },
            data.accessPoints(),
        );
        return worker;
    });
    return { web, workers };
}

/** What Monitoring watches, named as the alarms name it: the web service first, then the workers. */
function monitoredCompute(
    web: ScalingService,
    workers: ScalingService[],
    cfg: PlatformConfig,
): MonitoredCompute[] {
    const watch = (name: string, s: ScalingService): MonitoredCompute =>
        s.capacity.kind === "ecs"
            ? {
                  kind: "ecs",
                  name,
                  clusterName: s.capacity.clusterName,
                  serviceName: s.capacity.serviceName,
              }
            : { kind: "asg", name, autoScalingGroupName: s.capacity.autoScalingGroupName };
    return [watch("web", web), ...workers.map((w, i) => watch(`worker-${cfg.workers[i].name}`, w))];
}

/** The configured certificate, or (CDN path) one requested from ACM and validated in the zone. */
function certificateArnFor(
    cfg: PlatformConfig,
    prefix: string,
    provider: cloudflare.Provider | undefined,
): pulumi.Input<string> {
    if (cfg.loadBalancer.certificateArn) {
        return cfg.loadBalancer.certificateArn;
    }
    if (!provider) {
        throw new Error("web-platform:loadBalancer.certificateArn is required when the CDN is off");
    }
    return new ManagedCertificate(`${prefix}-cert`, {
        domain: cfg.cdn.domain,
        includeWww: cfg.cdn.includeWww,
        zoneId: cfg.cdn.zoneId,
        provider,
        tags: cfg.tags,
    }).certificateArn;
}

/** Wires the components for one stack, synchronously: lookups are Outputs, nothing is awaited. */
export function buildPlatform(cfg: PlatformConfig): PlatformOutputs {
    const prefix = cfg.project === cfg.stack ? cfg.project : `${cfg.project}-${cfg.stack}`;
    const tags = cfg.tags;
    checkBeforeRegistering(cfg);

    const cfProvider = cfg.cdn.enabled
        ? new cloudflare.Provider(`${prefix}-cloudflare`, {
              apiToken: new pulumi.Config("cloudflare").requireSecret("apiToken"),
          })
        : undefined;
    const certificateArn = certificateArnFor(cfg, prefix, cfProvider);

    const network = new Network(`${prefix}-net`, networkArgs(cfg));
    const lb = new LoadBalancer(
        `${prefix}-lb`,
        loadBalancerArgs(cfg, {
            vpcId: network.vpcId,
            publicSubnetIds: network.publicSubnetIds,
            certificateArn,
            // Origin lockdown: Cloudflare's published ranges, as the data source's Output.
            originRanges: cfProvider ? cloudflareRanges(cfProvider) : undefined,
        }),
    );
    const data = new DataTier(`${prefix}-data`, {
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        // A new VPC's AZs, so the database replicas land in the AZs of its subnets.
        availabilityZones: network.availabilityZoneNames,
        database: cfg.database,
        cache: cfg.cache,
        lifecycle: stackLifecycle(cfg.production).data,
        tags,
    });
    const { web, workers } = createServices(cfg, prefix, network, lb, data);

    const monitoring = new Monitoring(
        `${prefix}-monitoring`,
        monitoringArgs(cfg, {
            alb: { arnSuffix: lb.albArnSuffix, targetGroupArnSuffix: lb.targetGroupArnSuffix },
            compute: monitoredCompute(web, workers, cfg),
            database: data.databaseOutputs
                ? {
                      primaryIdentifier: data.databaseOutputs.primaryIdentifier,
                      replicaIdentifiers: data.databaseOutputs.replicaIdentifiers,
                  }
                : undefined,
            cache: data.cacheOutputs
                ? {
                      replicationGroupId: data.cacheOutputs.replicationGroupId,
                      memberClusterIds: data.cacheOutputs.memberClusterIds,
                      numNodes: cfg.cache.numNodes,
                  }
                : undefined,
        }),
    );

    const cdn = cfProvider
        ? new CdnWorker(
              `${prefix}-cdn`,
              cdnWorkerArgs(cfg, { originHostname: lb.dnsName, provider: cfProvider }),
          )
        : undefined;

    const ecs = web.capacity.kind === "ecs" ? web.capacity : undefined;
    const asg = web.capacity.kind === "asg" ? web.capacity : undefined;
    return {
        url: cdn ? cdn.url : pulumi.interpolate`https://${lb.dnsName}`,
        albDnsName: lb.dnsName,
        targetGroupArn: lb.targetGroupArn,
        serviceName: pulumi.output(ecs?.serviceName),
        clusterName: pulumi.output(ecs?.clusterName),
        autoScalingGroupName: pulumi.output(asg?.autoScalingGroupName),
        workerServiceNames: pulumi.all(
            workers.flatMap((w) => (w.capacity.kind === "ecs" ? [w.capacity.serviceName] : [])),
        ),
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        databaseWriterEndpoint: pulumi.output(data.databaseOutputs?.writerEndpoint),
        databaseReaderEndpoints: pulumi.output(data.databaseOutputs?.readerEndpoints),
        cachePrimaryEndpoint: pulumi.output(data.cacheOutputs?.primaryEndpoint),
        cacheReaderEndpoint: pulumi.output(data.cacheOutputs?.readerEndpoint),
        alarmTopicArn: monitoring.alarmTopicArn,
        dashboardName: monitoring.dashboardName,
    };
}
