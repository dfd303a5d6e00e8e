// Stack policies: one validate over every resource in the stack; findings on exempted resources
// are withheld and listed in a single notApplicable after the real violations.
import * as pulumi from "@pulumi/pulumi";
import { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy/policy";
import { PolicyDefBase, baseFields } from "./definition";
import { exemptionReason, mayBeExempted, suppressedSummary } from "./exemptions";
import { Finding, emit, findingMessage } from "./messages";
import { configWithDefaults } from "./schema";
import { CommonConfig, GuardrailStackPolicy, getPulumiType } from "./types";

export interface StackCtx<C> {
    config: C & CommonConfig;
    resources: PolicyResource[];
    args: StackValidationArgs;
    /** Resources of a class or type token. */
    ofType(cls: { new (...rest: never[]): pulumi.Resource } | string): PolicyResource[];
    byUrn(urn: string | undefined): PolicyResource | undefined;
    violation(r: PolicyResource, f: Finding): void;
    /** Free-text message about r (prefix with describeResource(r) yourself). */
    report(r: PolicyResource, message: string): void;
}

export interface StackPolicyDef<C> extends PolicyDefBase {
    validate(ctx: StackCtx<C>): void | Promise<void>;
}

export function typeOf(cls: { new (...rest: never[]): pulumi.Resource } | string): string {
    if (typeof cls === "string") {
        return cls;
    }
    const t = getPulumiType(cls);
    if (!t) {
        throw new Error("resource class has no Pulumi type");
    }
    return t;
}

export function stackPolicy<C>(def: StackPolicyDef<C>): GuardrailStackPolicy {
    const base = { ...baseFields(def), stack: true };
    const validateStack = async (
        args: StackValidationArgs,
        reportViolation: ReportViolation,
    ): Promise<void> => {
        const config = configWithDefaults<C>(
            base.configSchema,
            args.getConfig<Record<string, unknown>>(),
        );
        const findings: Array<{ r: PolicyResource; message: string; advisory: boolean }> = [];
        const urnIndex = new Map(args.resources.map((r) => [r.urn, r]));
        const ctx: StackCtx<C> = {
            config,
            resources: args.resources,
            args,
            ofType: (cls) => {
                const t = typeOf(cls);
                return args.resources.filter((r) => r.type === t);
            },
            byUrn: (urn) => (urn ? urnIndex.get(urn) : undefined),
            violation: (r, f) =>
                findings.push({ r, message: findingMessage(r, f), advisory: f.advisory === true }),
            report: (r, message) => findings.push({ r, message, advisory: false }),
        };
        try {
            await def.validate(ctx);
        } catch (e) {
            // Keep what was found before an unknown value (or an error) stopped the check, as the engine does.
            for (const f of findings) {
                if (!mayBeExempted(def.name, config, f.r)) {
                    emit(reportViolation, f, f.r.urn);
                }
            }
            throw e;
        }
        const exempted = new Map<string, { reason: string; messages: string[] }>();
        for (const f of findings) {
            const { r, message } = f;
            const reason = exemptionReason(def.name, config, r);
            if (reason === undefined) {
                emit(reportViolation, f, r.urn);
                continue;
            }
            const e = exempted.get(r.name) ?? { reason, messages: [] };
            e.messages.push(message);
            exempted.set(r.name, e);
        }
        if (exempted.size > 0) {
            const parts = [...exempted.entries()].map(
                ([name, e]) => `${name}: ${e.reason} (${suppressedSummary(e.messages)})`,
            );
            args.notApplicable(`exempted: ${parts.join("; ")}`);
        }
    };
    return { ...base, validateStack };
}
