// sns-encrypted: SNS topics are encrypted with a KMS key CloudWatch alarms can publish through.
import * as aws from "@pulumi/aws";
import { ResourceCtx, check, enumOf, isSet, peekRaw, resourcePolicy } from "../lib";

type Props = Record<string, unknown>;

interface SnsConfig {
    awsManagedKey: "ok" | "advisory" | "mandatory";
}

export const snsEncrypted = resourcePolicy<SnsConfig>({
    name: "sns-encrypted",
    description:
        "SNS topics are encrypted with KMS (kmsMasterKeyId); the AWS managed key alias/aws/sns is noted because CloudWatch alarms cannot publish to it.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "medium",
        category: "security",
        anchors: ["CKV_AWS_26", "SecurityHub:SNS.1"],
    },
    config: {
        awsManagedKey: enumOf(
            ["ok", "advisory", "mandatory"],
            "advisory",
            "How to report alias/aws/sns (alarm and EventBridge publishes fail with it).",
        ),
    },
    checks: [
        check(aws.sns.Topic, (p, ctx: ResourceCtx<SnsConfig>) => {
            if (!isSet(p as Props, "kmsMasterKeyId")) {
                ctx.violation({
                    property: "kmsMasterKeyId",
                    found: undefined,
                    awsDefault: "no server-side encryption",
                    expected: "a customer-managed KMS key that admits the publishing services",
                    fix: "set kmsMasterKeyId: key.arn (key policy: allow cloudwatch.amazonaws.com kms:GenerateDataKey* and kms:Decrypt)",
                });
                return;
            }
            const key = peekRaw(p as Props, "kmsMasterKeyId");
            if (key === "alias/aws/sns" && ctx.config.awsManagedKey !== "ok") {
                ctx.violation({
                    property: "kmsMasterKeyId",
                    found: key,
                    expected:
                        "a customer-managed key (the AWS managed key's policy cannot admit CloudWatch, so alarm notifications are dropped)",
                    fix: "create an aws.kms.Key whose policy allows cloudwatch.amazonaws.com, and use its arn",
                    advisory: ctx.config.awsManagedKey === "advisory",
                });
            }
        }),
    ],
});
