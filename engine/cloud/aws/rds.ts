// RDS: instances (endpoints under the account's per-region hash, the managed master password's
// secret), parameter and subnet groups, and RDS Proxy with its target group and targets.
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { CloudContext, num, plain, str } from "../context";
import { hexId, stableChars, stableUpper, stableUuid } from "../ids";
import { arn, autoname, Builder, dbGroup, physicalName, seedOf } from "./common";

/** Default ports per database engine. */
function enginePort(engine: string | undefined): number {
    if (!engine) {
        return 5432;
    }
    if (/mysql|maria|aurora$/.test(engine)) {
        return 3306;
    }
    if (/sqlserver/.test(engine)) {
        return 1433;
    }
    if (/oracle/.test(engine)) {
        return 1521;
    }
    return 5432;
}

function rdsHash(ctx: CloudContext): string {
    // AWS uses one 12-character identifier per account and region in every RDS endpoint.
    return stableChars(`rds/${ctx.account}/${ctx.region}`, 12);
}

/** The secret RDS creates when it manages the master password (manageMasterUserPassword). */
function masterUserSecret(
    ctx: CloudContext,
    args: MockResourceArgs,
    inputs: Record<string, unknown>,
): Record<string, unknown> {
    const secretArn = arn(
        ctx,
        "secretsmanager",
        `secret:rds!db-${stableUuid(seedOf(args))}-${stableChars(`${seedOf(args)}/s`, 6)}`,
    );
    return {
        secretArn,
        kmsKeyId:
            str(inputs.masterUserSecretKmsKeyId) ??
            arn(ctx, "kms", `key/${stableUuid(`${ctx.account}/aws/secretsmanager`)}`),
        secretStatus: "active",
    };
}

const instance: Builder = (ctx, args, inputs) => {
    const identifier = physicalName(args, inputs, "identifier", 63, true);
    const engine = str(inputs.engine);
    const port = num(inputs.port) ?? enginePort(engine);
    const address = `${identifier}.${rdsHash(ctx)}.${ctx.region}.rds.amazonaws.com`;
    const state: Record<string, unknown> = {
        identifier,
        arn: arn(ctx, "rds", `db:${identifier}`),
        resourceId: `db-${stableUpper(seedOf(args), 26)}`,
        address,
        endpoint: `${address}:${port}`,
        port,
        hostedZoneId: "Z2R2ITUGPM61AM",
        status: "available",
        engineVersionActual: str(inputs.engineVersion) ?? "16.4",
    };
    if (plain(inputs.manageMasterUserPassword) === true) {
        state.masterUserSecrets = [masterUserSecret(ctx, args, inputs)];
    }
    return { id: identifier, state };
};

const PROXY: Record<string, Builder> = {
    "aws:rds/proxy:Proxy": (ctx, args, inputs) => {
        const name = str(inputs.name) ?? autoname(args.name, seedOf(args), 60, true);
        return {
            id: name,
            state: {
                name,
                arn: arn(ctx, "rds", `db-proxy:prx-${hexId(seedOf(args))}`),
                endpoint: `${name}.proxy-${rdsHash(ctx)}.${ctx.region}.rds.amazonaws.com`,
            },
        };
    },
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": (ctx, args, inputs) => ({
        id: str(inputs.dbProxyName) ?? args.name,
        state: {
            name: "default",
            arn: arn(ctx, "rds", `target-group:prx-tg-${hexId(seedOf(args))}`),
        },
    }),
    "aws:rds/proxyTarget:ProxyTarget": (ctx, _args, inputs) => {
        const proxy = str(inputs.dbProxyName) ?? "";
        const group = str(inputs.targetGroupName) ?? "default";
        const instance = str(inputs.dbInstanceIdentifier);
        const cluster = str(inputs.dbClusterIdentifier);
        const type = instance ? "RDS_INSTANCE" : "TRACKED_CLUSTER";
        const ident = instance ?? cluster ?? "";
        return {
            id: `${proxy}/${group}/${type}/${ident}`,
            state: {
                type,
                rdsResourceId: ident,
                endpoint: `${ident}.${rdsHash(ctx)}.${ctx.region}.rds.amazonaws.com`,
                port: 5432,
                trackedClusterId: cluster ?? "",
            },
        };
    },
};

export const RDS: Record<string, Builder> = {
    "aws:rds/instance:Instance": instance,
    "aws:rds/parameterGroup:ParameterGroup": dbGroup("rds", "pg"),
    "aws:rds/subnetGroup:SubnetGroup": dbGroup("rds", "subgrp", true),
    ...PROXY,
};
