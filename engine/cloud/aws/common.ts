// What every AWS service module shares: Pulumi's autonaming and the provider's physical-name rule,
// ARNs in the account's partition and region, and the seed every stable id derives from.
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { CloudContext, MockAnswer, str } from "../context";
import { hexId, stableDigits } from "../ids";
import { AUTONAME_SUFFIX_LENGTH, PREFIX_ID_LENGTH } from "../../../components/physicalNames";

/** One resource type's answer: from the cloud context, the registration and its plain inputs. */
export type Builder = (
    ctx: CloudContext,
    args: MockResourceArgs,
    inputs: Record<string, unknown>,
) => MockAnswer;

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
export function physicalName(
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

export const arn = (
    ctx: CloudContext,
    service: string,
    resource: string,
    region: string = ctx.region,
) => `arn:${ctx.partition}:${service}:${region}:${ctx.account}:${resource}`;

export const seedOf = (args: MockResourceArgs) => `${args.type}/${args.name}`;

/** RDS / ElastiCache parameter and subnet groups: lowercase names, ARN `<kind>:<name>`; subnet groups report their VPC. */
export function dbGroup(
    service: "rds" | "elasticache",
    kind: string,
    subnetGroup = false,
): Builder {
    return (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255, true);
        const vpc = subnetGroup ? { vpcId: `vpc-${hexId(`subnet-group-vpc/${args.name}`)}` } : {};
        return { id: name, state: { name, arn: arn(ctx, service, `${kind}:${name}`), ...vpc } };
    };
}
