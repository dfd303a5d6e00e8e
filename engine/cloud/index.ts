// The realistic mock cloud, by provider. mockCloud.ts delegates every resource and data source here;
// a new type's answer goes into its provider's module.
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { partitionOf } from "../../components/scalingRules";
import { CloudContext, MockAnswer, regionAzs } from "./context";
import { awsResource } from "./aws";
import { awsxResource } from "./awsx";
import { cloudflareResource } from "./cloudflare";
import { randomResource } from "./random";

export { answerCall, ELB_SERVICE_ACCOUNTS, ANSWERED_TOKENS } from "./dataSources";
export { CloudContext, MockAnswer, regionAzs } from "./context";
export { autoname, AWS_TYPES } from "./aws";

export function cloudContext(options: {
    region?: string;
    accountId?: string;
    azCount?: number;
}): CloudContext {
    const region = options.region ?? "us-east-1";
    const azs = regionAzs(region);
    return {
        region,
        account: options.accountId ?? "123456789012",
        partition: partitionOf(region),
        azs: options.azCount !== undefined ? azs.slice(0, options.azCount) : azs,
    };
}

/** The answer for a resource registration, or undefined when no provider module models it. */
export function describeResource(
    ctx: CloudContext,
    args: MockResourceArgs,
): MockAnswer | undefined {
    const pkg = args.type.split(":")[0];
    switch (pkg) {
        case "aws":
            return awsResource(ctx, args);
        case "awsx":
            return awsxResource(ctx, args);
        case "cloudflare":
            return cloudflareResource(ctx, args);
        case "random":
            return randomResource(ctx, args);
        default:
            return undefined;
    }
}
