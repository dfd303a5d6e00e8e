// The audit journal: one JSON line per entry, appended before the request goes on (a failed write
// throws, so the caller can refuse what it could not record), rotated by size with a bounded
// number of old files, and the latest entries kept in memory for export.
import * as fs from "fs";
import * as path from "path";
import { intFromEnv } from "../envInt";
import { appendRotating } from "../rotatingFile";
import { AuditEntry, auditEntry, AuditInput } from "./entry";

export interface AuditJournalOptions {
    /** JSON-lines file; omitted: memory only. */
    file?: string;
    /** Rotate before the file grows past this (default 10 MiB). */
    maxBytes?: number;
    /** Rotated files kept: audit.jsonl.1 ... .N, the oldest deleted (default 5). */
    files?: number;
    /** Entries kept in memory for exportJsonLines (default 10,000). */
    keepInMemory?: number;
}

export const DEFAULT_AUDIT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_AUDIT_FILES = 5;
export const DEFAULT_AUDIT_IN_MEMORY = 10000;

export class AuditWriteError extends Error {}

export { appendRotating };

/** A stored line back as an entry, through the same whitelist (extra fields never survive). */
function entryFromLine(line: string): AuditEntry | undefined {
    try {
        const e = JSON.parse(line) as AuditEntry;
        if (
            typeof e.at !== "string" ||
            typeof e.person !== "object" ||
            typeof e.reason !== "string"
        ) {
            return undefined;
        }
        return auditEntry({
            at: new Date(e.at),
            person: e.person.via === "anonymous" ? undefined : { ...e.person, via: e.person.via },
            action: e.action,
            stack: e.stack,
            decision: { allow: e.decision === "allow", reason: e.reason },
            approval: e.approval,
            outcome: e.outcome,
            requestId: e.requestId,
        });
    } catch {
        return undefined;
    }
}

export class AuditJournal {
    private readonly recent: AuditEntry[] = [];
    private readonly maxBytes: number;
    private readonly files: number;
    private readonly keepInMemory: number;

    constructor(private readonly opts: AuditJournalOptions = {}) {
        this.maxBytes = opts.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
        this.files = Math.max(1, opts.files ?? DEFAULT_AUDIT_FILES);
        this.keepInMemory = opts.keepInMemory ?? DEFAULT_AUDIT_IN_MEMORY;
        if (opts.file) {
            this.loadTail(opts.file);
        }
    }

    /** Builds the entry (whitelisted, scrubbed), writes it, keeps it; throws AuditWriteError. */
    record(input: AuditInput): AuditEntry {
        const entry = auditEntry(input);
        if (this.opts.file) {
            try {
                fs.mkdirSync(path.dirname(this.opts.file), { recursive: true });
                appendRotating(
                    this.opts.file,
                    `${JSON.stringify(entry)}\n`,
                    this.maxBytes,
                    this.files,
                );
            } catch (e) {
                throw new AuditWriteError(
                    `audit journal ${this.opts.file}: ${(e as Error).message}`,
                );
            }
        }
        this.keep(entry);
        return entry;
    }

    entries(): AuditEntry[] {
        return [...this.recent];
    }

    /** The entries in memory as JSON lines (oldest first), optionally of one stack or since a time. */
    exportJsonLines(filter: { stack?: string; since?: Date } = {}): string {
        return this.recent
            .filter((e) => filter.stack === undefined || e.stack === filter.stack)
            .filter((e) => filter.since === undefined || Date.parse(e.at) >= filter.since.getTime())
            .map((e) => `${JSON.stringify(e)}\n`)
            .join("");
    }

    private keep(entry: AuditEntry): void {
        this.recent.push(entry);
        if (this.recent.length > this.keepInMemory) {
            this.recent.splice(0, this.recent.length - this.keepInMemory);
        }
    }

    /** The current file's last entries, so an export after a restart still shows them. */
    private loadTail(file: string): void {
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch {
            return;
        }
        const lines = text.split("\n").filter((l) => l.trim() !== "");
        for (const line of lines.slice(-this.keepInMemory)) {
            const entry = entryFromLine(line);
            if (entry) {
                this.keep(entry);
            }
        }
    }
}

export class AuditSettingsError extends Error {}

const refuse = (message: string) => new AuditSettingsError(message);

/** PORTAL_AUDIT_FILE (default <dir>/audit.jsonl), PORTAL_AUDIT_MAX_BYTES, PORTAL_AUDIT_FILES. */
export function auditSettingsFromEnv(
    env: NodeJS.ProcessEnv,
    dir: string,
): Required<Pick<AuditJournalOptions, "file" | "maxBytes" | "files">> {
    return {
        file: env.PORTAL_AUDIT_FILE?.trim() || path.join(dir, "audit.jsonl"),
        maxBytes: intFromEnv(
            env,
            "PORTAL_AUDIT_MAX_BYTES",
            { default: DEFAULT_AUDIT_MAX_BYTES, min: 4096, max: 1024 * 1024 * 1024 },
            refuse,
        ),
        files: intFromEnv(
            env,
            "PORTAL_AUDIT_FILES",
            { default: DEFAULT_AUDIT_FILES, min: 1, max: 100 },
            refuse,
        ),
    };
}
