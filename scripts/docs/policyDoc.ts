// docs/policies.md's reference, rendered from the pack's own metadata (policy/policies/*: name,
// description, level, severity, category, anchors, config schema) and the per-stack config files
// (policy/config/<stack>.json), so a policy added to the pack appears without editing the doc.
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { GuardrailPolicy } from "../../policy/policies/lib";
import { formatValue, table } from "./markdown";

/** One stack's `--policy-pack-config` file: per policy a level or `{ enforcementLevel?, ...config }`. */
export type PolicyStackConfig = Record<string, string | Record<string, unknown>>;

export interface StackConfigs {
    /** Stack name -> its config file, in the order the columns appear. */
    [stack: string]: PolicyStackConfig;
}

const CHECKOV_INDEX = "https://www.checkov.io/5.Policy%20Index/terraform.html";
const AWSGUARD_REPO = "https://github.com/pulumi/pulumi-policy-aws";

/** A link for a metadata anchor: Checkov's policy index, AWSGuard's sources, Security Hub's control page. */
export function anchorLink(anchor: string): string {
    if (/^CKV2?_AWS_\d+$/.test(anchor)) {
        return `[${anchor}](${CHECKOV_INDEX})`;
    }
    const guard = /^awsguard:(.+)$/.exec(anchor);
    if (guard) {
        return `[AWSGuard ${guard[1]}](${AWSGUARD_REPO})`;
    }
    const hub = /^SecurityHub:([A-Za-z0-9]+)\.(\d+)$/.exec(anchor);
    if (hub) {
        const service = hub[1].toLowerCase();
        const url = `https://docs.aws.amazon.com/securityhub/latest/userguide/${service}-controls.html#${service}-${hub[2]}`;
        return `[Security Hub ${hub[1]}.${hub[2]}](${url})`;
    }
    return anchor;
}

/** The level a stack runs the policy at: its config entry, else the policy's own default. */
export function stackLevel(policy: GuardrailPolicy, config: PolicyStackConfig): string {
    const entry = config[policy.name];
    if (typeof entry === "string") {
        return entry;
    }
    const level = entry?.enforcementLevel;
    return typeof level === "string" ? level : (policy.enforcementLevel ?? "mandatory");
}

function schemaType(s: PolicyConfigJSONSchema): string {
    const items =
        s.items && !Array.isArray(s.items) && typeof s.items === "object"
            ? (s.items as PolicyConfigJSONSchema)
            : undefined;
    if (s.enum) {
        return s.enum.map((v) => formatValue(v)).join(" / ");
    }
    if (s.type === "array" && items?.type) {
        return `${String(items.type)}[]`;
    }
    return String(s.type ?? "any");
}

function bounds(s: PolicyConfigJSONSchema): string {
    const parts = [
        s.minimum !== undefined ? `>= ${s.minimum}` : "",
        s.maximum !== undefined ? `<= ${s.maximum}` : "",
    ];
    return parts.filter((p) => p).join(", ");
}

function configTable(policy: GuardrailPolicy, stacks: StackConfigs): string | undefined {
    const props = Object.entries(policy.configSchema.properties ?? {}).filter(
        ([k]) => k !== "exemptions",
    );
    if (props.length === 0) {
        return undefined;
    }
    const stackNames = Object.keys(stacks);
    const override = (stack: string, key: string): string => {
        const entry = stacks[stack][policy.name];
        return typeof entry === "object" && key in entry ? formatValue(entry[key]) : "";
    };
    const rows = props.map(([key, s]) => [
        `\`${key}\``,
        [schemaType(s), bounds(s)].filter((p) => p).join(", "),
        formatValue(s.default),
        ...stackNames.map((st) => override(st, key)),
        s.description ?? "",
    ]);
    return table(["Config key", "Type", "Default", ...stackNames, "Description"], rows);
}

function exemptionLines(policy: GuardrailPolicy, stacks: StackConfigs): string[] {
    return Object.entries(stacks).flatMap(([stack, config]) => {
        const entry = config[policy.name];
        const list =
            typeof entry === "object" && Array.isArray(entry.exemptions)
                ? (entry.exemptions as { resource: string; reason: string }[])
                : [];
        return list.map((e) => `- **Exempted in ${stack}:** \`${e.resource}\`: ${e.reason}`);
    });
}

export function renderPolicySection(policy: GuardrailPolicy, stacks: StackConfigs): string {
    const levels = Object.entries(stacks).map(
        ([stack, config]) => `${stack} ${stackLevel(policy, config)}`,
    );
    const anchors =
        policy.metadata.anchors.length > 0
            ? policy.metadata.anchors.map(anchorLink).join(", ")
            : "none (no AWSGuard, Checkov or Security Hub counterpart)";
    const facts = [
        `- **Kind:** ${policy.stack ? "stack" : "resource"} policy · **Severity:** ${policy.metadata.severity} · **Category:** ${policy.metadata.category}`,
        `- **Enforcement:** default ${policy.enforcementLevel ?? "mandatory"} · ${levels.join(" · ")}`,
        `- **Counterparts:** ${anchors}`,
        ...exemptionLines(policy, stacks),
    ];
    const config = configTable(policy, stacks);
    return [
        `### \`${policy.name}\``,
        policy.description,
        facts.join("\n"),
        ...(config ? [config] : []),
    ].join("\n\n");
}

/** The one-line-per-policy overview: level per stack, linked to each policy's section. */
export function renderPolicySummary(
    policies: readonly GuardrailPolicy[],
    stacks: StackConfigs,
): string {
    const stackNames = Object.keys(stacks);
    const rows = policies.map((p) => [
        `[\`${p.name}\`](#${p.name})`,
        p.stack ? "stack" : "resource",
        p.metadata.severity,
        p.enforcementLevel ?? "mandatory",
        ...stackNames.map((st) => stackLevel(p, stacks[st])),
    ]);
    return table(["Policy", "Kind", "Severity", "Default level", ...stackNames], rows);
}

export function renderPolicyReference(
    policies: readonly GuardrailPolicy[],
    stacks: StackConfigs,
): string {
    return [
        "Source: each policy's definition in `policy/policies/*.ts` (description, level, metadata, config schema) " +
            "and `policy/config/<stack>.json`; a stack's column shows the value its file sets (blank: the default). " +
            "Every policy also accepts `exemptions` (see [Exemptions](#exemptions)).",
        ...policies.map((p) => renderPolicySection(p, stacks)),
    ].join("\n\n");
}
