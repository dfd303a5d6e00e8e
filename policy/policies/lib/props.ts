// Reading properties with values that may be unknown during preview: the engine's unknown markers,
// the raw object behind its unknown-checking proxy, and presence checks that never throw.

/** The engine's unknown sentinel (computed value during preview). */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Read a property WITHOUT the unknown check, for identity matching only (e.g. comparing ARNs):
 * unknown values come back as undefined. Never use it to judge a value.
 */
export function peekRaw(props: Record<string, unknown>, key: string): unknown {
    const raw = rawTarget(props)[key];
    if (typeof raw === "string" && isUnknownMarker(raw)) {
        return undefined;
    }
    return raw;
}

/** The raw (non-throwing) object behind the engine's unknown-checking proxy (plain objects as they are). */
export function rawTarget(props: Record<string, unknown>): Record<string, unknown> {
    const t = props["__getSpecialProxyTarget"];
    return t && typeof t === "object" ? (t as Record<string, unknown>) : props;
}

/** True if the value is, or contains, a value unknown during preview. */
export function containsUnknown(v: unknown): boolean {
    if (isUnknownMarker(v)) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsUnknown);
    }
    if (v && typeof v === "object") {
        return Object.values(v as Record<string, unknown>).some(containsUnknown);
    }
    return false;
}

const UNKNOWN_MARKERS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);
export function isUnknownMarker(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_MARKERS.has(v);
}

/** True if the property (or anything inside it) is unknown during preview: skip judging it. */
export function isUnknownProp(props: Record<string, unknown>, key: string): boolean {
    return containsUnknown(rawTarget(props)[key]);
}

/**
 * True if a property is set (for presence checks only, e.g. "an auth token is configured"): a
 * value unknown during preview counts as set, because a value will be there.
 */
export function isSet(props: Record<string, unknown>, key: string): boolean {
    const raw = rawTarget(props)[key];
    if (raw === undefined || raw === null || raw === "") {
        return false;
    }
    return !(Array.isArray(raw) && raw.length === 0);
}
