// What an analyzer receives, marshaled as the engine marshals it (pkg/resource/plugin/rpc.go
// MarshalProperties). The plan records the values the program sent (resource references,
// secrets, unknowns and all); before any of them reach a policy pack they go through the options
// the engine's analyzer client uses:
//
//   Analyze, AnalyzeStack, a provider's properties:  KeepUnknowns, KeepSecrets, SkipInternalKeys
//   Remediate:                                        KeepUnknowns, KeepSecrets
//
// and never KeepResources: a resource reference becomes its ID when it has one (the unknown
// sentinel while that ID is unknown), else its URN (a component). `__`-prefixed keys are dropped
// at the top level only; secrets stay secret objects; unknowns stay the unknown sentinels.

// The SDK's markers (sdk/nodejs/runtime/rpc.ts). graph.ts exports the first three too; they are
// spelled out here, not imported, as graph.ts itself imports this module.
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** The typed unknown sentinels (rpc.go UnknownBoolValue ... UnknownObjectValue). */
export const UNKNOWN_VALUES = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    UNKNOWN,
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

export interface MarshalOptions {
    /** Drop top-level keys that start with "__" (resource.IsInternalPropertyKey). */
    skipInternalKeys: boolean;
}

/** Analyze, AnalyzeStack and every provider's properties. */
export const ANALYZE: MarshalOptions = { skipInternalKeys: true };
/** Remediate: internal keys kept. */
export const REMEDIATE: MarshalOptions = { skipInternalKeys: false };

function sigOf(v: unknown): unknown {
    return v && typeof v === "object" && !Array.isArray(v)
        ? (v as Record<string, unknown>)[SECRET_SIG_KEY]
        : undefined;
}

const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value });

/**
 * A resource reference without KeepResources: its ID when the reference carries one (known or
 * not: an empty or unknown ID is the unknown string sentinel), else its URN.
 */
function referenceValue(ref: Record<string, unknown>): unknown {
    if (!("id" in ref)) {
        return ref.urn;
    }
    let id = ref.id;
    if (sigOf(id) === OUTPUT_SIG) {
        // An ID sent as an output value: known when it has a value.
        id = (id as Record<string, unknown>).value ?? "";
    }
    if (id === "" || (typeof id === "string" && UNKNOWN_VALUES.has(id))) {
        return UNKNOWN;
    }
    return id;
}

/** One value as the engine marshals it for an analyzer (below the top level: no key is dropped). */
export function marshalValue(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(marshalValue).filter((e) => e !== undefined);
    }
    if (!v || typeof v !== "object") {
        return v;
    }
    const obj = v as Record<string, unknown>;
    switch (obj[SECRET_SIG_KEY]) {
        case undefined:
            return marshalObject(obj, { skipInternalKeys: false });
        case SECRET_SIG:
            return secret(marshalValue(obj.value));
        case RESOURCE_SIG:
            return marshalValue(referenceValue(obj));
        case OUTPUT_SIG: {
            // Without KeepOutputValues an output value is its element, the unknown sentinel when
            // not known, wrapped as a secret when secret.
            const value = "value" in obj ? marshalValue(obj.value) : UNKNOWN;
            return obj.secret === true ? secret(value) : value;
        }
        default:
            // Assets and archives (and anything else signed) go as they came.
            return structuredClone(obj);
    }
}

function marshalObject(
    props: Record<string, unknown>,
    opts: MarshalOptions,
): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) {
        if (opts.skipInternalKeys && k.startsWith("__")) {
            continue;
        }
        const m = marshalValue(v);
        if (m !== undefined) {
            out[k] = m;
        }
    }
    return out;
}

/** A property map as the engine sends it to an analyzer (rpc.go MarshalProperties). */
export function marshalProperties(
    props: Record<string, unknown>,
    opts: MarshalOptions,
): Record<string, unknown> {
    return marshalObject(props, opts);
}

/**
 * The value a provider is given for a resource reference among a resource's inputs (the engine
 * marshals a provider's inputs without KeepResources too): the ID, unknown while it is, or the
 * URN. `undefined` for an unknown ID (the plan's plain inputs leave unknowns out).
 */
export function plainReference(ref: Record<string, unknown>): unknown {
    const v = referenceValue(ref);
    return v === UNKNOWN ? undefined : v;
}

export function isReference(v: unknown): v is Record<string, unknown> {
    return sigOf(v) === RESOURCE_SIG;
}
