// AWS resources as the real provider would report them after `create`: physical names (Pulumi
// autonaming `<name>-<7 hex>` when none is given), ids, ARNs, DNS names and endpoints in AWS's
// formats. Everything derives from the type, logical name and inputs, so runs are deterministic.
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { CloudContext, list, MockAnswer, num, plain, regionShort, str } from "./context";
import { hexId, stableChars, stableDigits, stableUpper, stableUuid } from "./ids";
import { AUTONAME_SUFFIX_LENGTH, PREFIX_ID_LENGTH } from "../../components/physicalNames";

/** Pulumi autonaming: `<logical name>-<7 hex>`, the name part shortened to fit AWS's limit. */
export function autoname(
    logicalName: string,
    seed: string,
    maxLength = 255,
    lowercase = false,
): string {
    const suffix = hexId(`autoname/${seed}`, AUTONAME_SUFFIX_LENGTH - 1);
    let base = logicalName;
    if (base.length + AUTONAME_SUFFIX_LENGTH > maxLength) {
        base = base.slice(0, Math.max(1, maxLength - AUTONAME_SUFFIX_LENGTH));
    }
    const name = `${base}-${suffix}`;
    return lowercase ? name.toLowerCase() : name;
}

/** Physical name from `prop`, else `<prefix><26 digits>` from `<prop>Prefix`, else the autoname (components/physicalNames.ts states the same rule). */
function physicalName(
    args: MockResourceArgs,
    inputs: Record<string, unknown>,
    prop: string,
    maxLength = 255,
    lowercase = false,
): string {
    const given = str(inputs[prop]);
    if (given) {
        return given;
    }
    const prefix =
        str(inputs[`${prop}Prefix`]) ?? (prop === "name" ? str(inputs.namePrefix) : undefined);
    if (prefix) {
        // Terraform's prefixed names: the prefix then a 26-digit unique id.
        return `${prefix}${stableDigits(`${args.type}/${args.name}/prefix`, PREFIX_ID_LENGTH)}`.slice(
            0,
            maxLength,
        );
    }
    return autoname(args.name, `${args.type}/${args.name}`, maxLength, lowercase);
}

/** Route 53 zone ids of ALBs per region (the alias target zone). */
export const ALB_ZONE_IDS: Record<string, string> = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "ca-central-1": "ZQSVJUPU6J1EY",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-west-2": "ZHURV8PSTC4K8",
    "eu-west-3": "Z3Q77PNBQS71R4",
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-north-1": "Z23TAZ7KFP3HS6",
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "ap-northeast-2": "ZWKZPGTI48KDX",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
    "ap-south-1": "ZP97RAFLXTNZK",
    "sa-east-1": "Z2P70J7HTTTPLU",
};

/** S3 website/bucket hosted zone ids per region (bucket `hostedZoneId`). */
const S3_ZONE_IDS: Record<string, string> = {
    "us-east-1": "Z3AQBSTGFYJSTF",
    "us-east-2": "Z2O1EMRO9K5GLX",
    "us-west-1": "Z2F56UZL2M1ACD",
    "us-west-2": "Z3BJ6K6RIION7M",
    "eu-west-1": "Z1BKCTXD74EZPE",
    "eu-central-1": "Z21DNDUVLTQW6Q",
};

type Builder = (
    ctx: CloudContext,
    args: MockResourceArgs,
    inputs: Record<string, unknown>,
) => MockAnswer;

const arn = (ctx: CloudContext, service: string, resource: string, region: string = ctx.region) =>
    `arn:${ctx.partition}:${service}:${region}:${ctx.account}:${resource}`;

const seedOf = (args: MockResourceArgs) => `${args.type}/${args.name}`;

/** RDS / ElastiCache parameter and subnet groups: lowercase names, ARN `<kind>:<name>`; subnet groups report their VPC. */
function dbGroup(service: "rds" | "elasticache", kind: string, subnetGroup = false): Builder {
    return (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255, true);
        const vpc = subnetGroup ? { vpcId: `vpc-${hexId(`subnet-group-vpc/${args.name}`)}` } : {};
        return { id: name, state: { name, arn: arn(ctx, service, `${kind}:${name}`), ...vpc } };
    };
}

/** Last path segment of an ARN-like string (`.../cluster/name` -> `name`). */
function lastSegment(value: string | undefined): string | undefined {
    return value?.split(/[/:]/).pop();
}

/** `app/<name>/<16 hex>` from a load balancer ARN, if it is one. */
function lbSuffixOf(lbArn: string | undefined): string | undefined {
    const m = /:loadbalancer\/((?:app|net|gwy)\/[^/]+\/[0-9a-f]+)$/.exec(lbArn ?? "");
    return m?.[1];
}

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

const builders: Record<string, Builder> = {
    // ---- Elastic Load Balancing ----
    "aws:lb/loadBalancer:LoadBalancer": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 32);
        const kind =
            str(inputs.loadBalancerType) === "network"
                ? "net"
                : str(inputs.loadBalancerType) === "gateway"
                  ? "gwy"
                  : "app";
        const arnSuffix = `${kind}/${name}/${hexId(seedOf(args), 16)}`;
        const internal = plain(inputs.internal) === true;
        const dnsName = `${internal ? "internal-" : ""}${name}-${stableDigits(seedOf(args), 10)}.${ctx.region}.elb.amazonaws.com`;
        const a = arn(ctx, "elasticloadbalancing", `loadbalancer/${arnSuffix}`);
        return {
            id: a,
            state: {
                name,
                arn: a,
                arnSuffix,
                dnsName,
                zoneId: ALB_ZONE_IDS[ctx.region] ?? `Z${stableUpper(`alb-zone/${ctx.region}`, 13)}`,
                loadBalancerType: str(inputs.loadBalancerType) ?? "application",
                vpcId: `vpc-${hexId(`lb-vpc/${args.name}`)}`,
                ipAddressType: str(inputs.ipAddressType) ?? "ipv4",
            },
        };
    },
    "aws:lb/targetGroup:TargetGroup": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 32);
        const arnSuffix = `targetgroup/${name}/${hexId(seedOf(args), 16)}`;
        const a = arn(ctx, "elasticloadbalancing", arnSuffix);
        return { id: a, state: { name, arn: a, arnSuffix, loadBalancerArns: [] } };
    },
    "aws:lb/listener:Listener": (ctx, args, inputs) => {
        const lb =
            lbSuffixOf(str(inputs.loadBalancerArn)) ??
            `app/${args.name.slice(0, 32)}/${hexId(`${seedOf(args)}/lb`, 16)}`;
        const a = arn(ctx, "elasticloadbalancing", `listener/${lb}/${hexId(seedOf(args), 16)}`);
        return { id: a, state: { arn: a } };
    },
    "aws:lb/listenerRule:ListenerRule": (ctx, args, inputs) => {
        const listener =
            /:listener\/(.+)$/.exec(str(inputs.listenerArn) ?? "")?.[1] ??
            `app/${args.name}/${hexId(`${seedOf(args)}/lb`, 16)}/${hexId(`${seedOf(args)}/l`, 16)}`;
        const a = arn(
            ctx,
            "elasticloadbalancing",
            `listener-rule/${listener}/${hexId(seedOf(args), 16)}`,
        );
        return { id: a, state: { arn: a } };
    },
    "aws:lb/listenerCertificate:ListenerCertificate": (_ctx, _args, inputs) => ({
        id: `${str(inputs.listenerArn) ?? ""}_${str(inputs.certificateArn) ?? ""}`,
        state: {},
    }),
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": (_ctx, args, inputs) => ({
        id: `${str(inputs.targetGroupArn) ?? args.name}-${stableDigits(seedOf(args), 20)}`,
        state: {},
    }),

    // ---- EC2 / VPC ----
    "aws:ec2/securityGroup:SecurityGroup": (ctx, args, inputs) => {
        const id = `sg-${hexId(seedOf(args))}`;
        return {
            id,
            state: {
                name: physicalName(args, inputs, "name", 255),
                arn: arn(ctx, "ec2", `security-group/${id}`),
                ownerId: ctx.account,
                description: str(inputs.description) ?? "Managed by Pulumi",
                revokeRulesOnDelete: plain(inputs.revokeRulesOnDelete) ?? false,
            },
        };
    },
    "aws:ec2/securityGroupRule:SecurityGroupRule": (_ctx, args) => ({
        id: `sgrule-${stableDigits(seedOf(args), 10)}`,
        state: { securityGroupRuleId: `sgr-${hexId(seedOf(args))}` },
    }),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (ctx, args) => {
        const id = `sgr-${hexId(seedOf(args))}`;
        return {
            id,
            state: { securityGroupRuleId: id, arn: arn(ctx, "ec2", `security-group-rule/${id}`) },
        };
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (ctx, args) => {
        const id = `sgr-${hexId(seedOf(args))}`;
        return {
            id,
            state: { securityGroupRuleId: id, arn: arn(ctx, "ec2", `security-group-rule/${id}`) },
        };
    },
    "aws:ec2/launchTemplate:LaunchTemplate": (ctx, args, inputs) => {
        const id = `lt-${hexId(seedOf(args))}`;
        return {
            id,
            state: {
                name: physicalName(args, inputs, "name", 128),
                arn: arn(ctx, "ec2", `launch-template/${id}`),
                latestVersion: 1,
                defaultVersion: 1,
            },
        };
    },
    "aws:ec2/vpc:Vpc": (ctx, args) => {
        const id = `vpc-${hexId(seedOf(args))}`;
        return {
            id,
            state: {
                arn: arn(ctx, "ec2", `vpc/${id}`),
                ownerId: ctx.account,
                mainRouteTableId: `rtb-${hexId(`${seedOf(args)}/main`)}`,
                defaultSecurityGroupId: `sg-${hexId(`${seedOf(args)}/default`)}`,
            },
        };
    },
    "aws:ec2/subnet:Subnet": (ctx, args) => {
        const id = `subnet-${hexId(seedOf(args))}`;
        return { id, state: { arn: arn(ctx, "ec2", `subnet/${id}`), ownerId: ctx.account } };
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": (ctx, args) => {
        const id = `vpce-${hexId(seedOf(args))}`;
        return {
            id,
            state: {
                arn: arn(ctx, "ec2", `vpc-endpoint/${id}`),
                ownerId: ctx.account,
                state: "available",
            },
        };
    },

    // ---- S3 ----
    "aws:s3/bucket:Bucket": s3Bucket,
    "aws:s3/bucketV2:BucketV2": s3Bucket,

    // ---- WAFv2 ----
    "aws:wafv2/webAcl:WebAcl": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 128);
        const id = stableUuid(seedOf(args));
        const scope = str(inputs.scope) ?? "REGIONAL";
        const a =
            scope === "CLOUDFRONT"
                ? arn(ctx, "wafv2", `global/webacl/${name}/${id}`, "us-east-1")
                : arn(ctx, "wafv2", `regional/webacl/${name}/${id}`);
        return {
            id,
            state: {
                name,
                arn: a,
                capacity: 700,
                lockToken: stableUuid(`${seedOf(args)}/lock`),
                applicationIntegrationUrl: "",
            },
        };
    },
    "aws:wafv2/webAclAssociation:WebAclAssociation": (_ctx, _args, inputs) => ({
        id: `${str(inputs.webAclArn) ?? ""},${str(inputs.resourceArn) ?? ""}`,
        state: {},
    }),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (_ctx, _args, inputs) => ({
        id: str(inputs.resourceArn) ?? "",
        state: {},
    }),

    // ---- ECS ----
    "aws:ecs/cluster:Cluster": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        const a = arn(ctx, "ecs", `cluster/${name}`);
        return { id: a, state: { name, arn: a } };
    },
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (_ctx, _args, inputs) => ({
        id: str(inputs.clusterName) ?? "",
        state: {},
    }),
    "aws:ecs/service:Service": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        const cluster = str(inputs.cluster) ?? arn(ctx, "ecs", "cluster/default");
        const clusterName = lastSegment(cluster) ?? "default";
        const a = arn(ctx, "ecs", `service/${clusterName}/${name}`);
        return { id: a, state: { name, arn: a, cluster } };
    },
    "aws:ecs/taskDefinition:TaskDefinition": (ctx, args, inputs) => {
        const family = str(inputs.family) ?? autoname(args.name, seedOf(args));
        const arnWithoutRevision = arn(ctx, "ecs", `task-definition/${family}`);
        return {
            id: family,
            state: { family, revision: 1, arn: `${arnWithoutRevision}:1`, arnWithoutRevision },
        };
    },

    // ---- Application Auto Scaling ----
    "aws:appautoscaling/target:Target": (ctx, args, inputs) => {
        const resourceId = str(inputs.resourceId) ?? args.name;
        return {
            id: resourceId,
            state: {
                arn: arn(
                    ctx,
                    "application-autoscaling",
                    `scalable-target/${stableChars(seedOf(args), 34)}`,
                ),
                roleArn:
                    str(inputs.roleArn) ??
                    `arn:${ctx.partition}:iam::${ctx.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
            },
        };
    },
    "aws:appautoscaling/policy:Policy": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        const resourceId = str(inputs.resourceId) ?? "";
        return {
            id: name,
            state: {
                name,
                arn: arn(
                    ctx,
                    "autoscaling",
                    `scalingPolicy:${stableUuid(seedOf(args))}:resource/${resourceId}:policyName/${name}`,
                ),
                alarmArns: [],
            },
        };
    },
    "aws:appautoscaling/scheduledAction:ScheduledAction": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        return {
            id: name,
            state: {
                name,
                arn: arn(
                    ctx,
                    "autoscaling",
                    `scheduledAction:${stableUuid(seedOf(args))}:scheduledActionName/${name}`,
                ),
            },
        };
    },

    // ---- EC2 Auto Scaling ----
    "aws:autoscaling/group:Group": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        return {
            id: name,
            state: {
                name,
                arn: arn(
                    ctx,
                    "autoscaling",
                    `autoScalingGroup:${stableUuid(seedOf(args))}:autoScalingGroupName/${name}`,
                ),
            },
        };
    },
    "aws:autoscaling/policy:Policy": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        const asg = str(inputs.autoscalingGroupName) ?? "";
        return {
            id: name,
            state: {
                name,
                arn: arn(
                    ctx,
                    "autoscaling",
                    `scalingPolicy:${stableUuid(seedOf(args))}:autoScalingGroupName/${asg}:policyName/${name}`,
                ),
            },
        };
    },

    // ---- IAM (global: no region in ARNs) ----
    "aws:iam/role:Role": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 64);
        const path = str(inputs.path) ?? "/";
        return {
            id: name,
            state: {
                name,
                path,
                arn: `arn:${ctx.partition}:iam::${ctx.account}:role${path}${name}`,
                uniqueId: `AROA${stableUpper(seedOf(args), 17)}`,
                createDate: "2026-01-01T00:00:00Z",
                maxSessionDuration: num(inputs.maxSessionDuration) ?? 3600,
            },
        };
    },
    "aws:iam/policy:Policy": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 128);
        const path = str(inputs.path) ?? "/";
        const a = `arn:${ctx.partition}:iam::${ctx.account}:policy${path}${name}`;
        return {
            id: a,
            state: {
                name,
                path,
                arn: a,
                policyId: `ANPA${stableUpper(seedOf(args), 17)}`,
                attachmentCount: 0,
            },
        };
    },
    "aws:iam/rolePolicy:RolePolicy": (_ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 128);
        return { id: `${str(inputs.role) ?? ""}:${name}`, state: { name } };
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (_ctx, args, inputs) => ({
        id: `${str(inputs.role) ?? args.name}-${stableDigits(seedOf(args), 20)}`,
        state: {},
    }),
    "aws:iam/instanceProfile:InstanceProfile": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 128);
        const path = str(inputs.path) ?? "/";
        return {
            id: name,
            state: {
                name,
                path,
                arn: `arn:${ctx.partition}:iam::${ctx.account}:instance-profile${path}${name}`,
                uniqueId: `AIPA${stableUpper(seedOf(args), 17)}`,
            },
        };
    },
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": (ctx, args, inputs) => {
        const service = str(inputs.awsServiceName) ?? "service.amazonaws.com";
        const name = `AWSServiceRoleFor${service.split(".")[0].replace(/^./, (c) => c.toUpperCase())}`;
        const a = `arn:${ctx.partition}:iam::${ctx.account}:role/aws-service-role/${service}/${name}`;
        return {
            id: a,
            state: {
                name,
                arn: a,
                path: `/aws-service-role/${service}/`,
                uniqueId: `AROA${stableUpper(seedOf(args), 17)}`,
            },
        };
    },

    // ---- CloudWatch ----
    "aws:cloudwatch/logGroup:LogGroup": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 512);
        return { id: name, state: { name, arn: arn(ctx, "logs", `log-group:${name}`) } };
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        return { id: name, state: { name, arn: arn(ctx, "cloudwatch", `alarm:${name}`) } };
    },
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "alarmName", 255);
        return {
            id: name,
            state: { alarmName: name, arn: arn(ctx, "cloudwatch", `alarm:${name}`) },
        };
    },
    "aws:cloudwatch/dashboard:Dashboard": (ctx, args, inputs) => {
        const name = str(inputs.dashboardName) ?? args.name;
        return {
            id: name,
            state: {
                dashboardName: name,
                dashboardArn: `arn:${ctx.partition}:cloudwatch::${ctx.account}:dashboard/${name}`,
            },
        };
    },

    // ---- SNS ----
    "aws:sns/topic:Topic": (ctx, args, inputs) => {
        const fifo = plain(inputs.fifoTopic) === true;
        const name =
            str(inputs.name) ??
            `${autoname(args.name, seedOf(args), fifo ? 251 : 256)}${fifo ? ".fifo" : ""}`;
        const a = arn(ctx, "sns", name);
        return { id: a, state: { name, arn: a, owner: ctx.account } };
    },
    "aws:sns/topicSubscription:TopicSubscription": (_ctx, args, inputs) => {
        const a = `${str(inputs.topic) ?? ""}:${stableUuid(seedOf(args))}`;
        const protocol = str(inputs.protocol);
        return {
            id: a,
            state: {
                arn: a,
                ownerId: _ctx.account,
                pendingConfirmation:
                    protocol === "email" ||
                    protocol === "email-json" ||
                    protocol === "http" ||
                    protocol === "https",
                confirmationWasAuthenticated: false,
            },
        };
    },
    "aws:sns/topicPolicy:TopicPolicy": (_ctx, _args, inputs) => ({
        id: str(inputs.arn) ?? "",
        state: { owner: _ctx.account },
    }),

    // ---- KMS ----
    "aws:kms/key:Key": (ctx, args) => {
        const keyId = stableUuid(seedOf(args));
        return { id: keyId, state: { keyId, arn: arn(ctx, "kms", `key/${keyId}`) } };
    },
    "aws:kms/alias:Alias": (ctx, args, inputs) => {
        const name = str(inputs.name) ?? `alias/${autoname(args.name, seedOf(args), 250)}`;
        const target = str(inputs.targetKeyId) ?? "";
        const targetKeyArn = target.startsWith("arn:") ? target : arn(ctx, "kms", `key/${target}`);
        return { id: name, state: { name, arn: arn(ctx, "kms", name), targetKeyArn } };
    },

    // ---- Secrets Manager ----
    "aws:secretsmanager/secret:Secret": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 512);
        const a = arn(
            ctx,
            "secretsmanager",
            `secret:${name}-${stableChars(seedOf(args), 6, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")}`,
        );
        return { id: a, state: { name, arn: a } };
    },
    "aws:secretsmanager/secretVersion:SecretVersion": (_ctx, args, inputs) => {
        const secret = str(inputs.secretId) ?? "";
        const versionId = stableUuid(seedOf(args));
        return {
            id: `${secret}|${versionId}`,
            state: { arn: secret, versionId, versionStages: ["AWSCURRENT"] },
        };
    },
    "aws:secretsmanager/secretRotation:SecretRotation": (_ctx, _args, inputs) => ({
        id: str(inputs.secretId) ?? "",
        state: { rotationEnabled: true },
    }),

    // ---- RDS ----
    "aws:rds/instance:Instance": (ctx, args, inputs) => {
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
            const secretArn = arn(
                ctx,
                "secretsmanager",
                `secret:rds!db-${stableUuid(seedOf(args))}-${stableChars(`${seedOf(args)}/s`, 6)}`,
            );
            state.masterUserSecrets = [
                {
                    secretArn,
                    kmsKeyId:
                        str(inputs.masterUserSecretKmsKeyId) ??
                        arn(ctx, "kms", `key/${stableUuid(`${ctx.account}/aws/secretsmanager`)}`),
                    secretStatus: "active",
                },
            ];
        }
        return { id: identifier, state };
    },
    "aws:rds/parameterGroup:ParameterGroup": dbGroup("rds", "pg"),
    "aws:rds/subnetGroup:SubnetGroup": dbGroup("rds", "subgrp", true),
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

    // ---- ElastiCache ----
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

    // ---- ACM ----
    "aws:acm/certificate:Certificate": (ctx, args, inputs) => {
        const a = arn(ctx, "acm", `certificate/${stableUuid(seedOf(args))}`);
        const domain = str(inputs.domainName) ?? "example.com";
        const names = [
            domain,
            ...list(inputs.subjectAlternativeNames).filter(
                (n): n is string => typeof n === "string",
            ),
        ];
        const domainValidationOptions = [...new Set(names)].map((d) => {
            const bare = d.replace(/^\*\./, "");
            return {
                domainName: d,
                resourceRecordName: `_${hexId(`acm/${d}/name`, 32)}.${bare}.`,
                resourceRecordType: "CNAME",
                resourceRecordValue: `_${hexId(`acm/${d}/value`, 32)}.${stableChars(`acm/${d}`, 10)}.acm-validations.aws.`,
            };
        });
        return {
            id: a,
            state: {
                arn: a,
                domainName: domain,
                domainValidationOptions,
                status: "PENDING_VALIDATION",
                type: "AMAZON_ISSUED",
                validationMethod: str(inputs.validationMethod) ?? "DNS",
                keyAlgorithm: str(inputs.keyAlgorithm) ?? "RSA_2048",
                notBefore: "",
                notAfter: "",
                renewalEligibility: "INELIGIBLE",
            },
        };
    },
    "aws:acm/certificateValidation:CertificateValidation": (_ctx, _args, inputs) => ({
        id: "2026-01-01 00:00:00 +0000 UTC",
        state: { certificateArn: str(inputs.certificateArn) ?? "" },
    }),
};

function rdsHash(ctx: CloudContext): string {
    // AWS uses one 12-character identifier per account and region in every RDS endpoint.
    return stableChars(`rds/${ctx.account}/${ctx.region}`, 12);
}

function s3Bucket(
    ctx: CloudContext,
    args: MockResourceArgs,
    inputs: Record<string, unknown>,
): MockAnswer {
    const bucket = physicalName(args, inputs, "bucket", 63, true);
    return {
        id: bucket,
        state: {
            bucket,
            arn: `arn:${ctx.partition}:s3:::${bucket}`,
            bucketDomainName: `${bucket}.s3.amazonaws.com`,
            bucketRegionalDomainName: `${bucket}.s3.${ctx.region}.amazonaws.com`,
            hostedZoneId: S3_ZONE_IDS[ctx.region] ?? `Z${stableUpper(`s3-zone/${ctx.region}`, 13)}`,
            region: ctx.region,
        },
    };
}

/** S3 bucket sub-resources are addressed by their bucket name. */
const S3_SUBRESOURCE =
    /^aws:s3\/bucket(PublicAccessBlock|Policy|OwnershipControls|Versioning(V2)?|ServerSideEncryptionConfiguration(V2)?|LifecycleConfiguration(V2)?|Logging(V2)?|Acl(V2)?|CorsConfiguration(V2)?|Notification|WebsiteConfiguration(V2)?):/;

/** The AWS answer for a resource, or undefined when this module does not model the type. */
export function awsResource(ctx: CloudContext, args: MockResourceArgs): MockAnswer | undefined {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const builder = builders[args.type];
    if (builder) {
        return builder(ctx, args, inputs);
    }
    if (S3_SUBRESOURCE.test(args.type)) {
        return { id: str(inputs.bucket) ?? args.name, state: {} };
    }
    return undefined;
}

/** Types the AWS module models (for tests and docs). */
export const AWS_TYPES = Object.keys(builders);
