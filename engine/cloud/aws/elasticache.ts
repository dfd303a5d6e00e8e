// ElastiCache: replication groups (primary and reader endpoints, which differ with in-transit
// encryption; one member cluster per node) and their parameter and subnet groups.
import { num, plain, regionShort, str } from "../context";
import { stableChars } from "../ids";
import { arn, autoname, Builder, dbGroup, seedOf } from "./common";

export const ELASTICACHE: Record<string, Builder> = {
    "aws:elasticache/replicationGroup:ReplicationGroup": (ctx, args, inputs) => {
        const id = str(inputs.replicationGroupId) ?? autoname(args.name, seedOf(args), 40, true);
        const n = num(inputs.numCacheClusters) ?? 1;
        const hash = stableChars(`${seedOf(args)}/ec`, 6);
        const short = regionShort(ctx.region);
        const tls = plain(inputs.transitEncryptionEnabled) === true;
        const primary = tls
            ? `master.${id}.${hash}.${short}.cache.amazonaws.com`
            : `${id}.${hash}.ng.0001.${short}.cache.amazonaws.com`;
        const reader = tls
            ? `replica.${id}.${hash}.${short}.cache.amazonaws.com`
            : `${id}-ro.${hash}.ng.0001.${short}.cache.amazonaws.com`;
        return {
            id,
            state: {
                replicationGroupId: id,
                arn: arn(ctx, "elasticache", `replicationgroup:${id}`),
                primaryEndpointAddress: primary,
                readerEndpointAddress: reader,
                memberClusters: Array.from(
                    { length: n },
                    (_, i) => `${id}-${String(i + 1).padStart(3, "0")}`,
                ),
                port: num(inputs.port) ?? 6379,
                engineVersionActual: str(inputs.engineVersion) ?? "7.1.0",
                clusterEnabled: false,
            },
        };
    },
    "aws:elasticache/parameterGroup:ParameterGroup": dbGroup("elasticache", "parametergroup"),
    "aws:elasticache/subnetGroup:SubnetGroup": dbGroup("elasticache", "subnetgroup", true),
};
