// Digests that bind an approval to exactly what was previewed: canonical JSON (keys sorted at every
// level, so the same value always hashes the same) through SHA-256.
import { createHash } from "crypto";
import type { Violation } from "../automation/types";

/** JSON with object keys sorted at every level; refuses what JSON cannot carry faithfully. */
export function canonicalJson(value: unknown): string {
    if (value === null || typeof value === "string" || typeof value === "boolean") {
        return JSON.stringify(value);
    }
    if (typeof value === "number") {
        if (!Number.isFinite(value)) {
            throw new TypeError(`canonicalJson: ${value} has no JSON form`);
        }
        return JSON.stringify(value);
    }
    if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
    }
    if (typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
}

/** SHA-256 hex of the canonical JSON of `value`. */
export function digestOf(value: unknown): string {
    return createHash("sha256").update(canonicalJson(value), "utf8").digest("hex");
}

/**
 * Digest of a stack's effective config (stack file + overrides). Secrets count by name only: a
 * secret's presence is bound, its value is not hashed, since a digest of a short secret could be
 * reversed by guessing, and digests are stored and shown.
 */
export function configDigest(
    config: Readonly<Record<string, unknown>>,
    secretNames: Iterable<string> = [],
): string {
    const secrets = [...new Set(secretNames)].sort();
    const plain = Object.fromEntries(Object.entries(config).filter(([k]) => !secrets.includes(k)));
    return digestOf({ config: plain, secrets });
}

/** Digest of a policy verdict: the violations, in an order that does not depend on the engine's. */
export function verdictDigest(violations: readonly Violation[]): string {
    const rows = violations
        .map((v) =>
            canonicalJson({
                policy: v.policy,
                pack: v.pack,
                urn: v.urn ?? "",
                level: v.level,
                message: v.message,
            }),
        )
        .sort();
    return digestOf(rows);
}

/**
 * Digest of a cost estimate (the plan's cost section, or null when there is none), in an order that
 * does not depend on the engine's: the offline plan registers resources in a varying order, so
 * every list in the estimate (lines, components, problems, assumptions) is sorted first.
 */
export function costDigest(cost: unknown): string {
    const sorted = (value: unknown): unknown => {
        if (Array.isArray(value)) {
            return value
                .map(sorted)
                .map((v) => ({ v, key: canonicalJson(v) }))
                .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
                .map((x) => x.v);
        }
        if (typeof value === "object" && value !== null) {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sorted(v)]));
        }
        return value;
    };
    return digestOf(sorted(cost ?? null));
}
