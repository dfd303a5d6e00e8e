// Resource policies: typed checks per resource class or type token, run with a context that
// collects findings, then reported unless the resource is exempted.
import * as pulumi from "@pulumi/pulumi";
import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy/policy";
import { PolicyDefBase, baseFields } from "./definition";
import { exemptionReason, mayBeExempted, suppressedSummary } from "./exemptions";
import { Emitted, Finding, emit, findingMessage } from "./messages";
import { configWithDefaults } from "./schema";
import { CommonConfig, GuardrailResourcePolicy, getPulumiType } from "./types";

export interface ResourceCtx<C> {
    type: string;
    name: string;
    urn: string;
    config: C & CommonConfig;
    args: ResourceValidationArgs;
    violation(f: Finding): void;
    report(message: string): void;
}

type ResourceClass<TArgs> = { new (name: string, args: TArgs, ...rest: never[]): pulumi.Resource };

export interface ResourceCheck<C> {
    pulumiType: string;
    run(props: Record<string, unknown>, ctx: ResourceCtx<C>): void | Promise<void>;
}

/** A check for one resource class (typed props). */
export function check<TArgs, C = Record<string, unknown>>(
    resourceClass: ResourceClass<TArgs>,
    fn: (props: pulumi.Unwrap<NonNullable<TArgs>>, ctx: ResourceCtx<C>) => void | Promise<void>,
): ResourceCheck<C> {
    const pulumiType = getPulumiType(resourceClass);
    if (!pulumiType) {
        throw new Error("check(): resource class has no Pulumi type");
    }
    return { pulumiType, run: (props, ctx) => fn(props as pulumi.Unwrap<NonNullable<TArgs>>, ctx) };
}

/** A check by type token (for types without a class in our SDK versions). */
export function checkType<C = Record<string, unknown>>(
    pulumiType: string,
    fn: (props: Record<string, unknown>, ctx: ResourceCtx<C>) => void | Promise<void>,
): ResourceCheck<C> {
    return { pulumiType, run: fn };
}

export interface ResourcePolicyDef<C> extends PolicyDefBase {
    checks: ResourceCheck<C>[];
}

export function resourcePolicy<C>(def: ResourcePolicyDef<C>): GuardrailResourcePolicy {
    const base = baseFields(def);
    const types = [...new Set(def.checks.map((c) => c.pulumiType))];
    const validate = async (
        args: ResourceValidationArgs,
        reportViolation: ReportViolation,
    ): Promise<void> => {
        const matching = def.checks.filter((c) => c.pulumiType === args.type);
        if (matching.length === 0) {
            args.notApplicable(
                `Policy only applies to resources of type ${types.map((t) => `'${t}'`).join(", ")}`,
            );
        }
        const config = configWithDefaults<C>(
            base.configSchema,
            args.getConfig<Record<string, unknown>>(),
        );
        const messages: Emitted[] = [];
        const ctx: ResourceCtx<C> = {
            type: args.type,
            name: args.name,
            urn: args.urn,
            config,
            args,
            violation: (f) =>
                messages.push({ message: findingMessage(args, f), advisory: f.advisory === true }),
            report: (m) => messages.push({ message: m, advisory: false }),
        };
        try {
            for (const c of matching) {
                await c.run(args.props, ctx);
            }
        } catch (e) {
            // The engine keeps violations reported before an unknown value stopped the check; so do we,
            // unless the resource may be exempted (decided without touching unknowns).
            if (!mayBeExempted(def.name, config, args)) {
                messages.forEach((m) => emit(reportViolation, m));
            }
            throw e;
        }
        const reason = exemptionReason(def.name, config, args);
        if (reason !== undefined) {
            args.notApplicable(
                `exempted: ${reason} (${suppressedSummary(messages.map((m) => m.message))})`,
            );
        }
        for (const m of messages) {
            emit(reportViolation, m);
        }
    };
    // One type: let the engine's fast type filter see it (as validateResourceOfType does).
    if (types.length === 1) {
        (validate as unknown as { __pulumiType: string }).__pulumiType = types[0];
    }
    return { ...base, validateResource: validate };
}
