// A deterministic mock cloud for the mock engine: IDs, ARNs and computed outputs in AWS's formats.
// First version: enough for the components' tests. Unknown data sources are reported, not invented.
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { MockCloud } from "./engine";
import { answerCall, cloudContext, describeResource } from "./cloud";

export interface MockCloudOptions {
    region?: string;
    accountId?: string;
    azCount?: number;
}

/** Stable 17-hex-digit suffix from a name, like AWS resource ids. */
export function hexId(seed: string, length = 17): string {
    let h = 2166136261;
    let out = "";
    for (let round = 0; out.length < length; round++) {
        for (const ch of `${seed}#${round}`) {
            h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
        }
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

export function createMockCloud(options: MockCloudOptions = {}): MockCloud {
    const region = options.region ?? "us-east-1";
    const account = options.accountId ?? "123456789012";
    // The region's real AZ letters (us-east-1 a-f, us-west-1 b-c, most regions a-c).
    const ctx = cloudContext({ region, accountId: account, azCount: options.azCount });
    const azs = ctx.azs;

    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;

    function newResource(args: MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        const name = (inputs.name as string | undefined) ?? args.name;
        const suffix = hexId(`${args.type}/${args.name}`);
        const state: Record<string, unknown> = { ...inputs };
        let id: string = `${args.name}-${suffix.slice(0, 8)}`;
        switch (args.type) {
            // Load balancers, target groups, listeners, security groups and S3 buckets: see cloud/aws.ts
            // (autonamed `<name>-<7 hex>`, ALB arnSuffix `app/<name>/<16 hex>`, DNS names per region).
            case "aws:wafv2/webAcl:WebAcl": {
                const aclName = name;
                const aclId = `${suffix.slice(0, 8)}-${suffix.slice(8, 12)}-4${suffix.slice(12, 15)}-a${suffix.slice(15, 17)}0-${hexId(`${args.name}/acl`, 12)}`;
                state.name = aclName;
                state.arn = arn("wafv2", `regional/webacl/${aclName}/${aclId}`);
                id = aclId;
                break;
            }
            // ScalingService: ECS, IAM, logs, Application Auto Scaling, EC2 Auto Scaling.
            case "aws:ecs/cluster:Cluster": {
                const clusterName = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                state.name = clusterName;
                state.arn = arn("ecs", `cluster/${clusterName}`);
                id = state.arn as string;
                break;
            }
            case "aws:ecs/service:Service": {
                const serviceName = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                const clusterArn = String(inputs.cluster ?? arn("ecs", "cluster/default"));
                state.name = serviceName;
                state.arn = arn("ecs", `service/${clusterArn.split("/").pop()}/${serviceName}`);
                id = state.arn as string;
                break;
            }
            case "aws:ecs/taskDefinition:TaskDefinition": {
                const family = String(inputs.family ?? args.name);
                state.revision = 1;
                state.arnWithoutRevision = arn("ecs", `task-definition/${family}`);
                state.arn = `${String(state.arnWithoutRevision)}:1`;
                id = family;
                break;
            }
            case "aws:iam/role:Role": {
                const roleName = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                state.name = roleName;
                state.arn = `arn:aws:iam::${account}:role/${roleName}`;
                state.uniqueId = `AROA${suffix.toUpperCase()}`;
                id = roleName;
                break;
            }
            case "aws:iam/instanceProfile:InstanceProfile": {
                const profileName = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                state.name = profileName;
                state.arn = `arn:aws:iam::${account}:instance-profile/${profileName}`;
                state.uniqueId = `AIPA${suffix.toUpperCase()}`;
                id = profileName;
                break;
            }
            case "aws:iam/rolePolicy:RolePolicy":
                state.name = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                id = `${String(inputs.role)}:${String(state.name)}`;
                break;
            case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
                id = `${String(inputs.role)}-${suffix.slice(0, 8)}`;
                break;
            case "aws:cloudwatch/logGroup:LogGroup": {
                const groupName = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                state.name = groupName;
                state.arn = arn("logs", `log-group:${groupName}`);
                id = groupName;
                break;
            }
            case "aws:appautoscaling/target:Target":
                id = String(inputs.resourceId);
                state.arn = arn("application-autoscaling", `scalable-target/${suffix.slice(0, 16)}`);
                break;
            case "aws:appautoscaling/policy:Policy": {
                const policyName = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                state.name = policyName;
                state.arn = arn("autoscaling", `scalingPolicy:${hexId(policyName, 8)}-${suffix.slice(0, 4)}:resource/${String(inputs.serviceNamespace)}/${String(inputs.resourceId)}:policyName/${policyName}`);
                id = policyName;
                break;
            }
            case "aws:ec2/launchTemplate:LaunchTemplate":
                id = `lt-${suffix}`;
                state.arn = arn("ec2", `launch-template/${id}`);
                state.latestVersion = 1;
                state.defaultVersion = 1;
                state.name = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                break;
            case "aws:autoscaling/group:Group": {
                const groupName = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                state.name = groupName;
                state.arn = arn("autoscaling", `autoScalingGroup:${hexId(groupName, 8)}-${suffix.slice(0, 4)}:autoScalingGroupName/${groupName}`);
                id = groupName;
                break;
            }
            case "aws:autoscaling/policy:Policy": {
                const policyName = (inputs.name as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                state.name = policyName;
                state.arn = arn("autoscaling", `scalingPolicy:${hexId(policyName, 8)}-${suffix.slice(0, 4)}:autoScalingGroupName/${String(inputs.autoscalingGroupName)}:policyName/${policyName}`);
                id = policyName;
                break;
            }
            // DataTier: RDS, RDS Proxy, ElastiCache, KMS aliases, Secrets Manager, random, SG rules.
            case "aws:rds/instance:Instance": {
                const identifier = String(inputs.identifier ?? `${args.name}-${suffix.slice(0, 8)}`).toLowerCase();
                const port = (inputs.port as number | undefined) ?? 5432;
                state.identifier = identifier;
                state.address = `${identifier}.c${hexId(`${account}/${region}/rds`, 11)}.${region}.rds.amazonaws.com`;
                state.endpoint = `${String(state.address)}:${port}`;
                state.port = port;
                state.arn = arn("rds", `db:${identifier}`);
                state.resourceId = `db-${hexId(`${args.name}/resource`, 26).toUpperCase()}`;
                state.hostedZoneId = "Z2R2ITUGPM61AM";
                if (inputs.manageMasterUserPassword === true) {
                    const uuid = `${suffix.slice(0, 8)}-${suffix.slice(8, 12)}-4${suffix.slice(12, 15)}-b${suffix.slice(15, 17)}0-${hexId(`${args.name}/secret`, 12)}`;
                    state.masterUserSecrets = [{
                        secretArn: arn("secretsmanager", `secret:rds!db-${uuid}-${hexId(`${args.name}/sfx`, 6)}`),
                        kmsKeyId: inputs.masterUserSecretKmsKeyId ?? arn("kms", "alias/aws/secretsmanager"),
                        secretStatus: "active",
                    }];
                } else {
                    state.masterUserSecrets = [];
                }
                id = identifier;
                break;
            }
            case "aws:rds/proxy:Proxy": {
                const proxyName = String(inputs.name ?? `${args.name}-${suffix.slice(0, 7)}`).toLowerCase();
                state.name = proxyName;
                state.arn = arn("rds", `db-proxy:prx-${suffix}`);
                state.endpoint = `${proxyName}.proxy-c${hexId(`${account}/${region}/rds`, 11)}.${region}.rds.amazonaws.com`;
                id = proxyName;
                break;
            }
            case "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":
                state.name = "default";
                state.arn = arn("rds", `target-group:prx-tg-${suffix}`);
                id = String(inputs.dbProxyName);
                break;
            case "aws:rds/proxyTarget:ProxyTarget":
                id = `${String(inputs.dbProxyName)},${String(inputs.targetGroupName)},RDS_INSTANCE,${String(inputs.dbInstanceIdentifier)}`;
                state.type = "RDS_INSTANCE";
                state.port = 5432;
                state.rdsResourceId = String(inputs.dbInstanceIdentifier);
                state.targetArn = arn("rds", `db:${String(inputs.dbInstanceIdentifier)}`);
                state.arn = undefined;
                break;
            case "aws:rds/parameterGroup:ParameterGroup":
            case "aws:rds/subnetGroup:SubnetGroup": {
                // namePrefix + 26 characters, as the provider generates.
                const groupName = String(inputs.name ?? `${String(inputs.namePrefix ?? `${args.name}-`)}${hexId(`${args.name}/name`, 26)}`);
                state.name = groupName;
                state.arn = arn("rds", `${args.type.includes("parameterGroup") ? "pg" : "subgrp"}:${groupName}`);
                id = groupName;
                break;
            }
            case "aws:elasticache/parameterGroup:ParameterGroup":
            case "aws:elasticache/subnetGroup:SubnetGroup": {
                const groupName = String(inputs.name ?? `${args.name}-${suffix.slice(0, 7)}`).toLowerCase();
                state.name = groupName;
                state.arn = arn("elasticache", `${args.type.includes("parameterGroup") ? "parametergroup" : "subnetgroup"}:${groupName}`);
                id = groupName;
                break;
            }
            case "aws:elasticache/replicationGroup:ReplicationGroup": {
                const groupId = String(inputs.replicationGroupId ?? `${args.name}-${suffix.slice(0, 7)}`).toLowerCase();
                const [area, direction, number] = region.split("-");
                const short = `${area}${(direction ?? "x")[0]}${number ?? "1"}`;
                const zone = hexId(`${account}/${region}/elasticache`, 6);
                const nodes = (inputs.numCacheClusters as number | undefined) ?? 1;
                state.replicationGroupId = groupId;
                state.arn = arn("elasticache", `replicationgroup:${groupId}`);
                state.primaryEndpointAddress = `master.${groupId}.${zone}.${short}.cache.amazonaws.com`;
                state.readerEndpointAddress = `replica.${groupId}.${zone}.${short}.cache.amazonaws.com`;
                state.memberClusters = Array.from({ length: nodes }, (_, i) => `${groupId}-${String(i + 1).padStart(3, "0")}`);
                state.port = (inputs.port as number | undefined) ?? 6379;
                state.clusterEnabled = false;
                id = groupId;
                break;
            }
            case "aws:kms/alias:Alias": {
                const aliasName = String(inputs.name ?? `alias/${args.name}`);
                state.name = aliasName;
                state.arn = arn("kms", aliasName);
                state.targetKeyArn = arn("kms", `key/${String(inputs.targetKeyId)}`);
                id = aliasName;
                break;
            }
            case "aws:secretsmanager/secret:Secret": {
                const secretName = String(inputs.name ?? `${args.name}-${suffix.slice(0, 7)}`);
                const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
                const tail = Array.from(hexId(`${args.name}/tail`, 6), (c) => chars[parseInt(c, 16) * 3 % chars.length]).join("");
                state.name = secretName;
                state.arn = arn("secretsmanager", `secret:${secretName}-${tail}`);
                id = state.arn as string;
                break;
            }
            case "aws:secretsmanager/secretVersion:SecretVersion": {
                const versionId = `${suffix.slice(0, 8)}-${suffix.slice(8, 12)}-4${suffix.slice(12, 15)}-a${suffix.slice(15, 17)}0-${hexId(`${args.name}/ver`, 12)}`;
                state.versionId = versionId;
                state.arn = String(inputs.secretId);
                state.versionStages = ["AWSCURRENT"];
                id = `${String(inputs.secretId)}|${versionId}`;
                break;
            }
            case "random:index/randomPassword:RandomPassword": {
                const length = (inputs.length as number | undefined) ?? 16;
                const chars = inputs.special === false
                    ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                    : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&*()-_=+[]{}<>:?";
                const hex = hexId(`${args.name}/password`, length * 2);
                state.result = Array.from({ length }, (_, i) => chars[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % chars.length]).join("");
                state.bcryptHash = `$2a$10$${hexId(`${args.name}/bcrypt`, 53)}`;
                id = "none";
                break;
            }
            case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
                id = `sgr-${suffix}`;
                state.securityGroupRuleId = id;
                state.arn = arn("ec2", `security-group-rule/${id}`);
                break;
            // CDN: the ALB certificate (validated by DNS in the Cloudflare zone) and the Cloudflare side.
            case "aws:acm/certificate:Certificate": {
                const domain = typeof inputs.domainName === "string" ? inputs.domainName : "example.com";
                const sans = Array.isArray(inputs.subjectAlternativeNames)
                    ? inputs.subjectAlternativeNames.filter((n): n is string => typeof n === "string")
                    : [];
                // One record per distinct name; a wildcard shares its base name's record, as in ACM.
                state.domainValidationOptions = [...new Set([domain, ...sans])].map((d) => {
                    const bare = d.replace(/^\*\./, "");
                    return {
                        domainName: d,
                        resourceRecordName: `_${hexId(`acm/${bare}/name`, 32)}.${bare}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${hexId(`acm/${bare}/value`, 32)}.${hexId(`acm/${bare}`, 10)}.acm-validations.aws.`,
                    };
                });
                const uuid = `${suffix.slice(0, 8)}-${suffix.slice(8, 12)}-4${suffix.slice(12, 15)}-a${suffix.slice(15, 17)}0-${hexId(`${args.name}/cert`, 12)}`;
                state.arn = arn("acm", `certificate/${uuid}`);
                state.status = "PENDING_VALIDATION";
                state.validationMethod = inputs.validationMethod ?? "DNS";
                id = state.arn as string;
                break;
            }
            case "aws:acm/certificateValidation:CertificateValidation":
                state.certificateArn = inputs.certificateArn;
                id = "2026-01-01 00:00:00 +0000 UTC";
                break;
            case "cloudflare:index/workersScript:WorkersScript":
                id = String(inputs.scriptName ?? args.name);
                state.etag = hexId(`${args.name}/etag`, 64);
                state.hasModules = inputs.mainModule !== undefined;
                break;
            case "cloudflare:index/workersRoute:WorkersRoute":
            case "cloudflare:index/dnsRecord:DnsRecord":
                // Cloudflare ids are 32 hex digits; proxied records always report ttl 1 (automatic).
                id = hexId(`${args.type}/${args.name}`, 32);
                if (inputs.proxied === true) {
                    state.ttl = 1;
                }
                break;
            case "cloudflare:index/zoneSetting:ZoneSetting":
                id = String(inputs.settingId ?? args.name);
                state.editable = true;
                break;
            case "awsx:ec2:Vpc": {
                const n = Math.max(2, Math.min(6, (inputs.numberOfAvailabilityZones as number | undefined) ?? 3));
                const vpcId = `vpc-${suffix}`;
                state.vpcId = vpcId;
                state.publicSubnetIds = azs.slice(0, n).map((_, i) => `subnet-${hexId(`${args.name}/public/${i}`)}`);
                state.privateSubnetIds = azs.slice(0, n).map((_, i) => `subnet-${hexId(`${args.name}/private/${i}`)}`);
                state.isolatedSubnetIds = [];
                // Without NAT the app tier is Isolated (awsx refuses Private subnets without NAT).
                const specs = (inputs.subnetSpecs as { type?: string }[] | undefined) ?? [];
                if (specs.some((spec) => spec.type === "Isolated")) {
                    state.isolatedSubnetIds = azs.slice(0, n).map((_, i) => `subnet-${hexId(`${args.name}/isolated/${i}`)}`);
                }
                if (specs.length > 0 && !specs.some((spec) => spec.type === "Private")) {
                    state.privateSubnetIds = [];
                }
                id = vpcId;
                break;
            }
            default: {
                // The realistic cloud by provider (scripts/plan/cloud/*).
                const answer = describeResource(ctx, args);
                if (answer) {
                    Object.assign(state, answer.state);
                    id = answer.id ?? id;
                }
                break;
            }
        }
        if (state.arn === undefined && args.custom !== false) {
            const [pkg, mod] = args.type.split(":");
            if (pkg === "aws") {
                state.arn = arn(mod.split("/")[0], `${args.name}/${suffix}`);
            }
        }
        if (state.name === undefined && inputs.name === undefined && args.custom !== false) {
            state.name = `${args.name}-${suffix.slice(0, 7)}`;
        }
        state.id = id;
        return { id, state };
    }

    function call(args: MockCallArgs): Record<string, unknown> | undefined {
        switch (args.token) {
            // getRegion, getCallerIdentity, getPartition, getAvailabilityZones and the ELB service
            // account (all regions with one): see cloud/dataSources.ts via `default`.
            case "aws:ssm/getParameter:getParameter": {
                // Public AMI parameters (/aws/service/...) answer an AMI id.
                const paramName = String(args.inputs.name);
                if (!paramName.startsWith("/aws/service/")) {
                    // A team's own parameter is unknowable offline: report it (EngineRun.unanswered).
                    return undefined;
                }
                const value = `ami-${hexId(paramName)}`;
                return { name: paramName, value, insecureValue: value, type: "String", version: 1, arn: arn("ssm", `parameter${paramName}`), id: paramName, withDecryption: true };
            }
            case "cloudflare:index/getIpRanges:getIpRanges": {
                // Cloudflare's published edge ranges (https://www.cloudflare.com/ips/).
                const ipv4Cidrs = [
                    "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
                    "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17",
                    "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
                ];
                const ipv6Cidrs = [
                    "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32",
                    "2a06:98c0::/29", "2c0f:f248::/32",
                ];
                return { etag: hexId([...ipv4Cidrs, ...ipv6Cidrs].join(","), 32), ipv4Cidrs, ipv6Cidrs, jdcloudCidrs: [], id: "cloudflare-ips" };
            }
            default:
                // Other data sources (policy documents, ELB zones, Cloudflare ranges...) or undefined.
                return answerCall(ctx, args.token, (args.inputs ?? {}) as Record<string, unknown>);
        }
    }

    return { newResource, call };
}
