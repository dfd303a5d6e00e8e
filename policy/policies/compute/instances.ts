// What EC2 instances launch with, from launch templates, launch configurations or directly:
// IMDSv2, detailed monitoring, encrypted EBS volumes, and no public IP (for ECS tasks too).
import * as aws from "@pulumi/aws";
import { ResourceCtx, asArray, bool, check, int, resourcePolicy } from "../lib";

// ---------------------------------------------------------------------------------------------
// launch-template-imdsv2
// ---------------------------------------------------------------------------------------------

interface MetadataOptions {
    httpEndpoint?: string;
    httpTokens?: string;
    httpPutResponseHopLimit?: number;
}

function checkImds(
    m: MetadataOptions | undefined,
    ctx: ResourceCtx<{ maxHopLimit: number }>,
): void {
    if (m?.httpEndpoint === "disabled") {
        return; // no metadata service at all
    }
    if (m?.httpTokens !== "required") {
        ctx.violation({
            property: "metadataOptions.httpTokens",
            found: m?.httpTokens,
            awsDefault: '"optional" (IMDSv1 allowed: SSRF can read instance credentials)',
            expected: '"required"',
            fix: 'set metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 }',
        });
    }
    const hop = m?.httpPutResponseHopLimit ?? 1;
    if (hop > ctx.config.maxHopLimit) {
        ctx.violation({
            property: "metadataOptions.httpPutResponseHopLimit",
            found: hop,
            expected: `<= ${ctx.config.maxHopLimit}`,
            fix: `set httpPutResponseHopLimit: ${ctx.config.maxHopLimit} (2 lets containers on the host reach IMDS)`,
        });
    }
}

export const launchTemplateImdsv2 = resourcePolicy<{ maxHopLimit: number }>({
    name: "launch-template-imdsv2",
    description: "Launch templates, launch configurations and instances require IMDSv2 tokens.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "security",
        anchors: ["CKV_AWS_79", "CKV_AWS_341", "SecurityHub:EC2.8", "SecurityHub:AutoScaling.3"],
    },
    config: {
        maxHopLimit: int(2, "Highest allowed httpPutResponseHopLimit.", {
            minimum: 1,
            maximum: 64,
        }),
    },
    checks: [
        check(aws.ec2.LaunchTemplate, (lt, ctx: ResourceCtx<{ maxHopLimit: number }>) =>
            checkImds(lt.metadataOptions, ctx),
        ),
        check(aws.ec2.LaunchConfiguration, (lc, ctx: ResourceCtx<{ maxHopLimit: number }>) =>
            checkImds(lc.metadataOptions, ctx),
        ),
        check(aws.ec2.Instance, (i, ctx: ResourceCtx<{ maxHopLimit: number }>) =>
            checkImds(i.metadataOptions, ctx),
        ),
    ],
});

// ---------------------------------------------------------------------------------------------
// launch-template-monitoring
// ---------------------------------------------------------------------------------------------

const BASIC_MONITORING =
    "basic monitoring (5-minute EC2 metrics: CPU alarms and target tracking on the group react up to 5 minutes late)";

export const launchTemplateMonitoring = resourcePolicy<Record<string, never>>({
    name: "launch-template-monitoring",
    description:
        "Launch templates, launch configurations and instances turn on EC2 detailed (1-minute) monitoring, so scaling alarms and dashboards see 1-minute instance metrics.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "medium",
        category: "observability",
        anchors: ["awsguard:ec2-instance-detailed-monitoring-enabled", "CKV_AWS_126"],
    },
    config: {},
    checks: [
        check(aws.ec2.LaunchTemplate, (lt, ctx: ResourceCtx<Record<string, never>>) => {
            if (lt.monitoring?.enabled !== true) {
                ctx.violation({
                    property: "monitoring.enabled",
                    found: lt.monitoring?.enabled,
                    awsDefault: `false: ${BASIC_MONITORING}`,
                    expected: "true",
                    fix: "set monitoring: { enabled: true }",
                });
            }
        }),
        check(aws.ec2.LaunchConfiguration, (lc, ctx: ResourceCtx<Record<string, never>>) => {
            // The provider (and the API) default enableMonitoring to true: only an explicit false is flagged.
            if (lc.enableMonitoring === false) {
                ctx.violation({
                    property: "enableMonitoring",
                    found: false,
                    expected: "true or unset (default true)",
                    fix: "remove enableMonitoring: false",
                });
            }
        }),
        check(aws.ec2.Instance, (i, ctx: ResourceCtx<Record<string, never>>) => {
            if (i.monitoring !== true) {
                ctx.violation({
                    property: "monitoring",
                    found: i.monitoring,
                    awsDefault: `false: ${BASIC_MONITORING}`,
                    expected: "true",
                    fix: "set monitoring: true",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// ebs-encrypted
// ---------------------------------------------------------------------------------------------

const EBS_DEFAULT =
    "false (unless the account's EBS encryption-by-default is on, which a policy cannot see)";

function isTrue(v: unknown): boolean {
    return v === true || v === "true";
}

/** Launch configurations and instances (same block-device shape): root volume and every EBS device encrypted. */
function checkInstanceVolumes(
    r: {
        rootBlockDevice?: { encrypted?: boolean };
        ebsBlockDevices?: Array<{ encrypted?: boolean }>;
    },
    ctx: ResourceCtx<{ requireRootMapping: boolean }>,
): void {
    if (!isTrue(r.rootBlockDevice?.encrypted)) {
        ctx.violation({
            property: "rootBlockDevice.encrypted",
            found: r.rootBlockDevice?.encrypted,
            awsDefault: EBS_DEFAULT,
            expected: "true",
            fix: "set rootBlockDevice: { encrypted: true }",
        });
    }
    asArray(r.ebsBlockDevices).forEach((d, i) => {
        if (!isTrue(d.encrypted)) {
            ctx.violation({
                property: `ebsBlockDevices[${i}].encrypted`,
                found: d.encrypted,
                awsDefault: EBS_DEFAULT,
                expected: "true",
                fix: "set encrypted: true",
            });
        }
    });
}

export const ebsEncrypted = resourcePolicy<{ requireRootMapping: boolean }>({
    name: "ebs-encrypted",
    description:
        "EBS volumes (launch template/configuration block devices, instance volumes, standalone volumes) are encrypted.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "data",
        anchors: ["CKV_AWS_3", "CKV_AWS_8", "awsguard:encrypted-volumes", "SecurityHub:EC2.3"],
    },
    config: {
        requireRootMapping: bool(
            true,
            "Flag launch templates without blockDeviceMappings (the root volume then follows the AMI snapshot's encryption).",
        ),
    },
    checks: [
        check(aws.ec2.LaunchTemplate, (lt, ctx: ResourceCtx<{ requireRootMapping: boolean }>) => {
            const mappings = asArray(lt.blockDeviceMappings);
            if (mappings.length === 0 && ctx.config.requireRootMapping) {
                ctx.violation({
                    property: "blockDeviceMappings",
                    found: undefined,
                    awsDefault: "the AMI's root volume, encrypted only if its snapshot is",
                    expected: "a mapping for the root device with ebs.encrypted true",
                    fix: 'add blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }]',
                });
            }
            mappings.forEach((m, i) => {
                if (m.ebs !== undefined && !isTrue(m.ebs.encrypted)) {
                    ctx.violation({
                        property: `blockDeviceMappings[${i}].ebs.encrypted`,
                        found: m.ebs.encrypted,
                        awsDefault: EBS_DEFAULT,
                        expected: '"true"',
                        fix: `set blockDeviceMappings[${i}].ebs.encrypted: "true"`,
                    });
                }
            });
        }),
        check(aws.ec2.LaunchConfiguration, checkInstanceVolumes),
        check(aws.ec2.Instance, checkInstanceVolumes),
        check(aws.ebs.Volume, (v, ctx: ResourceCtx<{ requireRootMapping: boolean }>) => {
            if (!isTrue(v.encrypted)) {
                ctx.violation({
                    property: "encrypted",
                    found: v.encrypted,
                    awsDefault: EBS_DEFAULT,
                    expected: "true",
                    fix: "set encrypted: true",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// no-public-ip-app
// ---------------------------------------------------------------------------------------------

/** Launch configurations and instances share the associatePublicIpAddress flag. */
function checkAssociatePublicIp(
    r: { associatePublicIpAddress?: boolean },
    ctx: ResourceCtx<Record<string, never>>,
): void {
    if (isTrue(r.associatePublicIpAddress)) {
        ctx.violation({
            property: "associatePublicIpAddress",
            found: true,
            expected: "false or unset",
            fix: "set associatePublicIpAddress: false",
        });
    }
}

export const noPublicIpApp = resourcePolicy<Record<string, never>>({
    name: "no-public-ip-app",
    description:
        "Application instances and tasks get no public IP (they sit in private subnets behind the load balancer).",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "network",
        anchors: [
            "CKV_AWS_88",
            "CKV_AWS_333",
            "awsguard:ec2-instance-no-public-ip",
            "SecurityHub:ECS.2",
            "SecurityHub:AutoScaling.5",
        ],
    },
    config: {},
    checks: [
        check(aws.ec2.LaunchTemplate, (lt, ctx: ResourceCtx<Record<string, never>>) => {
            asArray(lt.networkInterfaces).forEach((n, i) => {
                if (isTrue(n.associatePublicIpAddress)) {
                    ctx.violation({
                        property: `networkInterfaces[${i}].associatePublicIpAddress`,
                        found: n.associatePublicIpAddress,
                        expected: '"false" or unset (with private subnets)',
                        fix: 'set associatePublicIpAddress: "false" and launch into private subnets',
                    });
                }
            });
        }),
        check(aws.ec2.LaunchConfiguration, checkAssociatePublicIp),
        check(aws.ec2.Instance, checkAssociatePublicIp),
        check(aws.ecs.Service, (s, ctx: ResourceCtx<Record<string, never>>) => {
            if (s.networkConfiguration?.assignPublicIp === true) {
                ctx.violation({
                    property: "networkConfiguration.assignPublicIp",
                    found: true,
                    awsDefault: false,
                    expected: "false",
                    fix: "set assignPublicIp: false and use private subnets with a NAT gateway or VPC endpoints",
                });
            }
        }),
    ],
});
