// Cross-resource lookups for stack policies: which resources reference which (by property
// dependencies, dependencies or known identifying values), and resources by type token.
import { PolicyResource } from "@pulumi/policy/policy";
import { isUnknownMarker, peekRaw } from "./props";
import { StackCtx } from "./stackPolicy";

/**
 * True if `ref` points at `target` through property `prop`: by propertyDependencies[prop], by
 * dependencies (only when the property has no propertyDependencies entry), or by value: the
 * property (or an element of it, for lists) equals target's arn/id/arnSuffix when both are known.
 */
export function dependsOn(ref: PolicyResource, prop: string, target: PolicyResource): boolean {
    const pd = ref.propertyDependencies?.[prop];
    if (pd && pd.some((d) => d.urn === target.urn)) {
        return true;
    }
    const raw = peekRaw(ref.props, prop);
    const values = Array.isArray(raw) ? raw : [raw];
    for (const key of ["arn", "id", "arnSuffix"]) {
        const tv = peekRaw(target.props, key);
        if (tv !== undefined && values.some((v) => v !== undefined && v === tv)) {
            return true;
        }
    }
    if ((!pd || pd.length === 0) && ref.dependencies.some((d) => d.urn === target.urn)) {
        return true;
    }
    return false;
}

/** Resources of any of the given type tokens. */
export function ofTypes(ctx: StackCtx<unknown>, types: readonly string[]): PolicyResource[] {
    return ctx.resources.filter((r) => types.includes(r.type));
}

/**
 * True if `ref.prop` (a string or a list of strings) references `target`: by property
 * dependencies / dependencies / arn-id (dependsOn above), or by a known value equal to one of the
 * target's own identifying inputs (`targetKeys`, e.g. "identifier", "name", "bucket").
 */
export function references(
    ref: PolicyResource,
    prop: string,
    target: PolicyResource,
    targetKeys: string[] = [],
): boolean {
    if (dependsOn(ref, prop, target)) {
        return true;
    }
    const raw = peekRaw(ref.props, prop);
    const values = (Array.isArray(raw) ? raw : [raw]).filter(
        (v): v is string => typeof v === "string" && !isUnknownMarker(v),
    );
    if (values.length === 0) {
        return false;
    }
    for (const key of targetKeys) {
        const tv = peekRaw(target.props, key);
        if (
            typeof tv === "string" &&
            tv !== "" &&
            values.some((v) => v === tv || v.endsWith(`:${tv}`) || v.endsWith(`/${tv}`))
        ) {
            return true;
        }
    }
    return false;
}
