// AWS resources as the real provider would report them after `create`: physical names (Pulumi
// autonaming `<name>-<7 hex>` when none is given), ids, ARNs, DNS names and endpoints in AWS's
// formats. Everything derives from the type, logical name and inputs, so runs are deterministic.
// One module per service under aws/; this one looks a type up among them.
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { CloudContext, MockAnswer } from "./context";
import { ACM } from "./aws/acm";
import { AUTOSCALING } from "./aws/autoscaling";
import { Builder } from "./aws/common";
import { EC2 } from "./aws/ec2";
import { ECS } from "./aws/ecs";
import { ELASTICACHE } from "./aws/elasticache";
import { ELB } from "./aws/elb";
import { IAM } from "./aws/iam";
import { LAMBDA } from "./aws/lambda";
import { MONITORING } from "./aws/monitoring";
import { RDS } from "./aws/rds";
import { S3, s3SubResource } from "./aws/s3";
import { SECRETS } from "./aws/secrets";
import { WAF } from "./aws/waf";

export { autoname } from "./aws/common";
export { ALB_ZONE_IDS } from "./aws/elb";

const builders: Record<string, Builder> = {
    ...ELB,
    ...EC2,
    ...S3,
    ...WAF,
    ...ECS,
    ...AUTOSCALING,
    ...IAM,
    ...MONITORING,
    ...SECRETS,
    ...RDS,
    ...ELASTICACHE,
    ...ACM,
    ...LAMBDA,
};

/** The AWS answer for a resource, or undefined when this module does not model the type. */
export function awsResource(ctx: CloudContext, args: MockResourceArgs): MockAnswer | undefined {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const builder = builders[args.type];
    if (builder) {
        return builder(ctx, args, inputs);
    }
    return s3SubResource(args, inputs);
}

/** Types the AWS module models (for tests and docs). */
export const AWS_TYPES = Object.keys(builders);
