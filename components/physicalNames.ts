// How the load balancer and its target group are named in AWS. Both names are capped at 32
// characters, so Pulumi's auto-name ("<logical name>-<7 hex>") only fits a short "<project>-<stack>".
// Stacks whose auto-name fits keep it untouched: adding `name` or `namePrefix` to a deployed
// resource would replace it. Longer stacks get a `namePrefix` instead: the provider appends a
// 26-character unique id, so a replacement is still created before the old one is deleted (an
// explicit `name` would collide with the resource it replaces, and a target group cannot be
// replaced that way). Pure so that config/names.ts checks exactly what the component asks for, and
// the offline plan's mock cloud names resources by the same rule.

/** "-" plus the 7 hex characters Pulumi appends to an auto-named resource. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/** The unique id the AWS provider appends to a `namePrefix` (Terraform's prefixed names): 26 digits. */
export const PREFIX_ID_LENGTH = 26;

/** Load balancer and target group names: at most 32 characters (ELB API Reference). */
export const ELB_NAME_MAX = 32;

/**
 * Longest `namePrefix` the AWS provider takes for `aws.lb.LoadBalancer` and `aws.lb.TargetGroup`:
 * it appends its 26-character unique id and the result must fit 32. The provider also refuses a
 * prefix with anything but letters, digits and hyphens, or one that starts with a hyphen.
 */
export const ELB_NAME_PREFIX_MAX = ELB_NAME_MAX - PREFIX_ID_LENGTH;

/** What to pass for a load balancer or target group name: nothing (auto-name) or a `namePrefix`. */
export interface ElbNaming {
    /** Undefined when Pulumi's auto-name fits, so existing stacks' inputs stay as they are. */
    namePrefix?: string;
}

/** True when the provider would accept `prefix` as an ALB/target group `namePrefix`. */
export function isValidElbNamePrefix(prefix: string): boolean {
    return (
        prefix.length >= 1 &&
        prefix.length <= ELB_NAME_PREFIX_MAX &&
        /^[0-9A-Za-z][0-9A-Za-z-]*$/.test(prefix)
    );
}

/**
 * The name inputs of a load balancer or target group whose Pulumi logical name is `logical`.
 * When "<logical>-<7 hex>" exceeds 32 characters, the prefix is the head of the logical name
 * (letters, digits and hyphens only, no leading hyphen, lower-cased), which stays the same for a
 * stack as long as its project name does: a changed prefix would replace the resource.
 */
export function elbNaming(logical: string): ElbNaming {
    if (logical.length + AUTONAME_SUFFIX_LENGTH <= ELB_NAME_MAX) {
        return {};
    }
    const head = logical
        .toLowerCase()
        .replace(/[^0-9a-z-]/g, "")
        .replace(/^-+/, "")
        .slice(0, ELB_NAME_PREFIX_MAX);
    // A logical name with no usable character at all still needs a valid prefix.
    return { namePrefix: head.length > 0 ? head : "lb" };
}

/** The name AWS receives for these inputs, its random part shown as x (auto-name) or 0 (provider id). */
export function elbPhysicalName(logical: string, naming: ElbNaming): string {
    if (naming.namePrefix !== undefined) {
        return `${naming.namePrefix}${"0".repeat(PREFIX_ID_LENGTH)}`;
    }
    return `${logical}-${"x".repeat(AUTONAME_SUFFIX_LENGTH - 1)}`;
}
