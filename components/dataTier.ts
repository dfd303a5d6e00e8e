import * as pulumi from "@pulumi/pulumi";
import { CacheConfig, DatabaseConfig } from "../config/types";
import { ServiceSecret } from "./scalingService";

export interface DataTierArgs {
    vpcId: pulumi.Input<string>;
    /** Private subnets (at least two AZs) for the DB subnet group and cache subnet group. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    database: DatabaseConfig;
    cache: CacheConfig;
    production: boolean;
    tags: Record<string, string>;
}

/** RDS PostgreSQL primary + read replicas (+ optional RDS Proxy) and an ElastiCache replication group. */
export class DataTier extends pulumi.ComponentResource {
    public readonly databaseSecurityGroupId?: pulumi.Output<string>;
    public readonly cacheSecurityGroupId?: pulumi.Output<string>;
    /** Writer endpoint (the proxy's when the proxy is on). */
    public readonly writerEndpoint?: pulumi.Output<string>;
    public readonly readerEndpoints?: pulumi.Output<string[]>;
    public readonly primaryIdentifier?: pulumi.Output<string>;
    public readonly replicaIdentifiers?: pulumi.Output<string>[];
    public readonly cacheReplicationGroupId?: pulumi.Output<string>;
    public readonly cachePrimaryEndpoint?: pulumi.Output<string>;
    public readonly cacheReaderEndpoint?: pulumi.Output<string>;
    /** Cache member cluster ids (for per-node CloudWatch dimensions). */
    public readonly cacheMemberClusterIds?: pulumi.Output<string[]>;

    constructor(name: string, args: DataTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:data:DataTier", name, {}, opts);
        void args;
        throw new Error("DataTier: not implemented yet");
    }

    /** Admit a client security group on 5432 and 6379. Creates rule resources under this component. */
    public allowClient(clientName: string, securityGroupId: pulumi.Input<string>): void {
        void clientName;
        void securityGroupId;
        throw new Error("DataTier.allowClient: not implemented yet");
    }

    /** Plain endpoints for the app (no secrets). */
    public appEnvironment(): pulumi.Input<Record<string, pulumi.Input<string>>> {
        return {};
    }

    /** Secrets the app reads at start: DB credentials and the Redis auth token. */
    public appSecrets(): ServiceSecret[] {
        return [];
    }

    /** Exactly the secret ARNs in appSecrets(), for the app role's policy. */
    public secretArns(): pulumi.Input<string>[] {
        return [];
    }

    /** KMS keys that encrypt those secrets. */
    public kmsKeyArns(): pulumi.Input<string>[] {
        return [];
    }
}
