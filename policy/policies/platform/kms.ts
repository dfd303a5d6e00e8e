// kms-key-rotation: symmetric customer KMS keys rotate automatically, at least every N days.
import * as aws from "@pulumi/aws";
import { ResourceCtx, check, int, isSet, resourcePolicy } from "../lib";

type Props = Record<string, unknown>;

interface KmsConfig {
    maxRotationDays: number;
}

export const kmsKeyRotation = resourcePolicy<KmsConfig>({
    name: "kms-key-rotation",
    description: "Symmetric customer KMS keys rotate automatically, at least every N days.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "medium",
        category: "security",
        anchors: ["CKV_AWS_7", "awsguard:cmk-backing-key-rotation-enabled", "SecurityHub:KMS.4"],
    },
    config: {
        maxRotationDays: int(
            365,
            "Longest accepted rotationPeriodInDays (AWS allows 90-2560; default 365).",
            { minimum: 90, maximum: 2560 },
        ),
    },
    checks: [
        check(aws.kms.Key, (p, ctx: ResourceCtx<KmsConfig>) => {
            const spec = String(p.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT");
            if (
                spec !== "SYMMETRIC_DEFAULT" ||
                (p.keyUsage !== undefined && p.keyUsage !== "ENCRYPT_DECRYPT")
            ) {
                ctx.args.notApplicable(
                    `key spec ${spec} / usage ${String(p.keyUsage)} cannot rotate automatically`,
                );
            }
            if (isSet(p as Props, "customKeyStoreId") || isSet(p as Props, "xksKeyId")) {
                ctx.args.notApplicable(
                    "key in a custom key store: rotation is managed outside KMS",
                );
            }
            if (p.enableKeyRotation !== true) {
                ctx.violation({
                    property: "enableKeyRotation",
                    found: p.enableKeyRotation,
                    awsDefault: false,
                    expected: "true",
                    fix: "set enableKeyRotation: true",
                });
            } else if ((p.rotationPeriodInDays ?? 365) > ctx.config.maxRotationDays) {
                ctx.violation({
                    property: "rotationPeriodInDays",
                    found: p.rotationPeriodInDays,
                    expected: `<= ${ctx.config.maxRotationDays}`,
                    fix: `set rotationPeriodInDays: ${ctx.config.maxRotationDays}`,
                });
            }
        }),
    ],
});
