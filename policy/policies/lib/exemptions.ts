// Exemptions, for every policy alike: a config entry (name or URN glob with a reason) or an
// approval tag on the resource. Policies never implement them; the factories apply them.
import { containsUnknown, rawTarget } from "./props";
import { CommonConfig, Exemption } from "./types";
import { globMatch, tagsOf } from "./values";

export const EXEMPT_TAG_PREFIX = "guardrails:exempt:";

export function configExemption(
    exemptions: Exemption[] | undefined,
    name: string,
    urn: string,
): Exemption | undefined {
    for (const e of exemptions ?? []) {
        if (globMatch(e.resource, name) || globMatch(e.resource, urn)) {
            return e;
        }
    }
    return undefined;
}

/** What exemptions are matched on. */
interface ExemptionSubject {
    name: string;
    urn: string;
    props: Record<string, unknown>;
}

/** The exemption reason for a resource, from config (first) or the approval tag; reading tags may throw unknown. */
export function exemptionReason(
    policyName: string,
    cfg: CommonConfig,
    r: ExemptionSubject,
): string | undefined {
    const byConfig = configExemption(cfg.exemptions, r.name, r.urn);
    if (byConfig) {
        return `${byConfig.reason} [config exemption "${byConfig.resource}"]`;
    }
    const tag = tagsOf(r.props)[EXEMPT_TAG_PREFIX + policyName];
    if (tag !== undefined) {
        return `${tag.trim() || "(no reason given)"} [tag ${EXEMPT_TAG_PREFIX}${policyName}]`;
    }
    return undefined;
}

/**
 * Exemption check that never throws on unknowns (used only while another error propagates): true
 * when the resource is exempted, or may be (its tags cannot be read yet), so nothing is reported for it.
 */
export function mayBeExempted(policyName: string, cfg: CommonConfig, r: ExemptionSubject): boolean {
    const tags = rawTarget(r.props)["tags"];
    return (
        containsUnknown(tags) ||
        exemptionReason(policyName, cfg, { ...r, props: { tags } }) !== undefined
    );
}

export function suppressedSummary(messages: string[]): string {
    return messages.length === 0
        ? "no findings to suppress"
        : `suppressed: ${messages.join(" | ")}`;
}
