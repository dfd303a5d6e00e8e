import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { LoadBalancerConfig, PlatformConfig } from "./config/types";
import { stackLifecycle } from "./config/lifecycle";
import { checkAzCountInRegion, releaseUsesAlarms } from "./config/rules";
import { allowAccess } from "./components/access";
import { Network, NetworkArgs } from "./components/network";
import {
    albIngressRules,
    LoadBalancer,
    LoadBalancerArgs,
    LoadBalancerSettings,
    originPrefixListRules,
    recoverySeconds,
} from "./components/loadBalancer";
import { ScalingService, ScalingServiceArgs } from "./components/scalingService";
import type { ServiceDeployment } from "./components/scalingServiceArgs";
import {
    releasePeak,
    ReleasePeak,
    ReleaseTimings,
    usesReleaseRoutes,
} from "./components/releaseRules";
import { alarmName } from "./components/alarmRules";
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

/** The Monitoring component's name: its alarms' explicit names start with it. */
export function monitoringName(prefix: string): string {
    return `${prefix}-monitoring`;
}

/**
 * The web service's release peak (components/releaseRules.ts): the most tasks or instances a
 * release runs at once, worst case (started at capacity.max), and how many minutes that lasts. A
 * pure function of the config; index.ts exports it for the cost model.
 */
export function webReleasePeak(cfg: PlatformConfig): ReleasePeak {
    return releasePeak(cfg.deployment, cfg.capacity, releaseTimings(cfg));
}

/** True when the web service releases through ECS's blue/green family (Fargate, not rolling). */
export function hasReleaseRoutes(cfg: PlatformConfig): boolean {
    return cfg.compute.mode !== "ec2" && usesReleaseRoutes(cfg.deployment.strategy);
}

/** What decides how long a release's new tasks take to serve and its old ones to drain. */
export function releaseTimings(cfg: PlatformConfig): ReleaseTimings {
    return {
        healthCheckGracePeriod: cfg.compute.healthCheckGracePeriod,
        targetHealthySeconds: recoverySeconds(cfg.healthCheck),
        deregistrationDelay: cfg.loadBalancer.deregistrationDelay,
    };
}

/**
 * The web service's release settings when its releases roll back on alarms (the blue/green
 * family on Fargate; every EC2 instance refresh); undefined for a rolling Fargate service, which
 * keeps ECS's rolling update and circuit breaker exactly as before. The rollback alarms are named
 * by the names Monitoring gives them, so they are known at preview.
 */
export function webDeployment(cfg: PlatformConfig, prefix: string): ServiceDeployment | undefined {
    if (!releaseUsesAlarms(cfg)) {
        return undefined;
    }
    const d = cfg.deployment;
    return {
        settings: {
            ...d,
            smokeTest: {
                ...d.smokeTest,
                // The CDN's domain is what the managed certificate covers.
                hostname: d.smokeTest.hostname ?? (cfg.cdn.enabled ? cfg.cdn.domain : undefined),
            },
        },
        rollbackAlarmNames: d.rollbackAlarms.map((key) => alarmName(monitoringName(prefix), key)),
        timings: releaseTimings(cfg),
    };
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
        releaseRoutes: hasReleaseRoutes(cfg),
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
        // Releases that roll back on alarms name them (ECS and the instance refresh take names).
        namedAlarms: releaseUsesAlarms(cfg),
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
        deployment: webDeployment(cfg, prefix),
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
    // Releases of the blue/green family: the smoke-test hook, and nothing else, reaches the ALB's
    // test listener (its port has no other inbound rule).
    if (web.capacity.kind === "ecs" && web.capacity.smokeTestHookSecurityGroupId) {
        allowAccess(
            {
                name: "smoke-hook",
                label: "the smoke-test hook",
                securityGroupId: web.capacity.smokeTestHookSecurityGroupId,
                needsEgress: true,
            },
            lb.releaseTestAccessPoints(),
        );
    }

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
        monitoringName(prefix),
        monitoringArgs(cfg, {
            alb: {
                arnSuffix: lb.albArnSuffix,
                targetGroupArnSuffix: lb.targetGroupArnSuffix,
                ...(lb.releaseRoutes
                    ? {
                          alternateTargetGroupArnSuffix:
                              lb.releaseRoutes.alternateTargetGroup.arnSuffix,
                      }
                    : {}),
            },
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

    // The rollback alarms were named before Monitoring existed: each must be one it created.
    const missing = cfg.deployment.rollbackAlarms.filter((key) => !(key in monitoring.alarms));
    if (releaseUsesAlarms(cfg) && missing.length > 0) {
        throw new Error(
            `web-platform:deployment.rollbackAlarms: ${missing.join(", ")} ${missing.length === 1 ? "is not an alarm" : "are not alarms"} this stack creates; choose from ${Object.keys(monitoring.alarms).join(", ")}`,
        );
    }

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
