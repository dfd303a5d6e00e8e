// WAFv2: web ACLs (regional, or global in us-east-1 for CloudFront), their associations and
// logging configurations.
import { str } from "../context";
import { stableUuid } from "../ids";
import { arn, Builder, physicalName, seedOf } from "./common";

export const WAF: Record<string, Builder> = {
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
};
