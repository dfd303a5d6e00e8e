// Machine clients (CI jobs, other services): named shared tokens. The config holds only the SHA-256
// of each token, so a leaked config file grants nothing; a presented token is hashed and compared
// with every client's hash in constant time.
import { createHash, timingSafeEqual } from "crypto";
import * as yaml from "js-yaml";
import { Person } from "./types";

export interface MachineClient {
    name: string;
    /** Lowercase hex SHA-256 of the token (`printf %s "$TOKEN" | sha256sum`). */
    tokenSha256: string;
    groups: string[];
}

export class MachineClientsError extends Error {}

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const HEX64_RE = /^[0-9a-fA-F]{64}$/;
const CLIENT_KEYS = ["name", "tokenSha256", "groups"];

function clientProblems(raw: unknown, at: string): string[] {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        return [`${at}: must be a mapping with name, tokenSha256 and groups`];
    }
    const c = raw as Record<string, unknown>;
    const problems = Object.keys(c)
        .filter((k) => !CLIENT_KEYS.includes(k))
        .map((k) =>
            // A "token" key most likely holds the token itself: say so without repeating it.
            k === "token"
                ? `${at}.token: store tokenSha256 (the SHA-256 hex of the token), never the token`
                : `${at}.${k}: unknown key; use ${CLIENT_KEYS.join(", ")}`,
        );
    if (typeof c.name !== "string" || !NAME_RE.test(c.name)) {
        problems.push(`${at}.name: must match ${NAME_RE.source}`);
    }
    if (typeof c.tokenSha256 !== "string" || !HEX64_RE.test(c.tokenSha256)) {
        // The value is not shown: a mistaken paste could be the token itself.
        problems.push(
            `${at}.tokenSha256: must be 64 hex characters (printf %s "$TOKEN" | sha256sum)`,
        );
    }
    const groups = c.groups;
    if (
        !Array.isArray(groups) ||
        groups.length === 0 ||
        !groups.every((g) => typeof g === "string" && g.trim() !== "")
    ) {
        problems.push(`${at}.groups: must be a non-empty list of group names`);
    }
    return problems;
}

/** Parses and checks the machine clients file (YAML or JSON); every problem names its place. */
export function parseMachineClients(text: string, source: string): MachineClient[] {
    let doc: unknown;
    try {
        doc = yaml.load(text, { schema: yaml.JSON_SCHEMA });
    } catch (e) {
        throw new MachineClientsError(`${source}: not YAML/JSON (${(e as Error).name})`);
    }
    const top = doc as { clients?: unknown } | null;
    if (
        typeof top !== "object" ||
        top === null ||
        Array.isArray(top) ||
        !Array.isArray(top.clients)
    ) {
        throw new MachineClientsError(`${source}: expected a mapping with a "clients" list`);
    }
    const extra = Object.keys(top).filter((k) => k !== "clients");
    const problems = extra.map((k) => `${k}: unknown key; the file holds only "clients"`);
    top.clients.forEach((c, i) => problems.push(...clientProblems(c, `clients[${i}]`)));
    if (problems.length === 0) {
        const clients = top.clients as MachineClient[];
        problems.push(
            ...duplicates(
                clients.map((c) => c.name),
                "name",
            ),
        );
        problems.push(
            ...duplicates(
                clients.map((c) => c.tokenSha256.toLowerCase()),
                "tokenSha256",
            ),
        );
    }
    if (problems.length > 0) {
        throw new MachineClientsError(`${source}:\n  ${problems.join("\n  ")}`);
    }
    return (top.clients as MachineClient[]).map((c) => ({
        name: c.name,
        tokenSha256: c.tokenSha256.toLowerCase(),
        groups: [...c.groups],
    }));
}

function duplicates(values: string[], field: string): string[] {
    return values.flatMap((v, i) =>
        values.indexOf(v) !== i
            ? [`clients[${i}].${field}: the same as clients[${values.indexOf(v)}]`]
            : [],
    );
}

/** SHA-256 hex of a token: what a machine client's config stores. */
export function sha256Hex(token: string): string {
    return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Returns a function that finds the machine client a bearer token belongs to. Every client's hash
 * is compared (no early exit), and digests have one length, so timing tells nothing about the token.
 */
export function machineMatcher(
    clients: readonly MachineClient[],
): (token: string) => Person | undefined {
    const digests = clients.map((c) => Buffer.from(c.tokenSha256, "hex"));
    return (token) => {
        const got = createHash("sha256").update(token, "utf8").digest();
        let found: MachineClient | undefined;
        digests.forEach((d, i) => {
            if (timingSafeEqual(got, d) && found === undefined) {
                found = clients[i];
            }
        });
        return found
            ? {
                  id: `machine:${found.name}`,
                  name: found.name,
                  groups: [...found.groups],
                  via: "machine",
              }
            : undefined;
    };
}
