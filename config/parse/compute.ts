// The app container and the compute that runs it (Fargate or EC2, with optional Spot).
import { ComputeConfig, ContainerConfig, SpotConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { configKey } from "../rules";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

export function readApp(r: Reader, v: unknown): ContainerConfig {
    const o = r.object("app", v, KNOWN_FIELDS.app);
    const app: ContainerConfig = {
        image: r.requiredStr(
            "app.image",
            o.image,
            `the container image, e.g. \`pulumi config set --path '${configKey("app.image")}' public.ecr.aws/nginx/nginx:1.27\``,
        ),
        port: r.num("app.port", o.port, DEFAULTS.app.port),
        cpu: r.num("app.cpu", o.cpu, DEFAULTS.app.cpu),
        memory: r.num("app.memory", o.memory, DEFAULTS.app.memory),
        environment: r.strMap("app.environment", o.environment),
        readonlyRootFilesystem: r.bool(
            "app.readonlyRootFilesystem",
            o.readonlyRootFilesystem,
            DEFAULTS.app.readonlyRootFilesystem,
        ),
        writablePaths: r.strArray("app.writablePaths", o.writablePaths, DEFAULTS.app.writablePaths),
    };
    if (o.command !== undefined && o.command !== null) {
        app.command = r.strArray("app.command", o.command, []);
    }
    return app;
}

export function readCompute(r: Reader, v: unknown, production: boolean): ComputeConfig {
    const o = r.object("compute", v, KNOWN_FIELDS.compute);
    const d = DEFAULTS.compute;
    const instanceType = r.str("compute.instanceType", o.instanceType, d.instanceType);
    const c: ComputeConfig = {
        mode: r.str("compute.mode", o.mode, d.mode) as ComputeConfig["mode"],
        instanceType,
        amiSsmParameter: r.str("compute.amiSsmParameter", o.amiSsmParameter, d.amiSsmParameter),
        rootVolumeGiB: r.num("compute.rootVolumeGiB", o.rootVolumeGiB, d.rootVolumeGiB),
        healthCheckGracePeriod: r.num(
            "compute.healthCheckGracePeriod",
            o.healthCheckGracePeriod,
            d.healthCheckGracePeriod,
        ),
        instanceRefreshMinHealthyPercentage: r.num(
            "compute.instanceRefreshMinHealthyPercentage",
            o.instanceRefreshMinHealthyPercentage,
            d.instanceRefreshMinHealthyPercentage,
        ),
        logRetentionDays: r.num(
            "compute.logRetentionDays",
            o.logRetentionDays,
            d.logRetentionDays(production),
        ),
    };
    const amiId = r.optStr("compute.amiId", o.amiId);
    if (amiId !== undefined) {
        c.amiId = amiId;
    }
    if (o.spot !== undefined && o.spot !== null) {
        const s = r.object("compute.spot", o.spot, KNOWN_FIELDS.spot);
        const spot: SpotConfig = {
            onDemandBaseCapacity: r.num(
                "compute.spot.onDemandBaseCapacity",
                s.onDemandBaseCapacity,
                DEFAULTS.spot.onDemandBaseCapacity,
            ),
            onDemandPercentageAboveBase: r.num(
                "compute.spot.onDemandPercentageAboveBase",
                s.onDemandPercentageAboveBase,
                DEFAULTS.spot.onDemandPercentageAboveBase,
            ),
            instanceTypes: r.strArray("compute.spot.instanceTypes", s.instanceTypes, [
                instanceType,
            ]),
            allocationStrategy: r.str(
                "compute.spot.allocationStrategy",
                s.allocationStrategy,
                DEFAULTS.spot.allocationStrategy,
            ) as SpotConfig["allocationStrategy"],
        };
        c.spot = spot;
    }
    return c;
}
