// Previews and approvals, kept in memory and persisted as JSON lines so a restart loses none. Both
// are bounded: at most `maxPreviews` previews (oldest dropped with their approvals), a few
// approvals per preview, and the file is rewritten from memory once it holds twice what memory
// does, dropping what can no longer approve anything.
import * as fs from "fs";
import * as path from "path";
import { intFromEnv } from "../envInt";
import {
    Approval,
    ApprovalSource,
    DEFAULT_MAX_AGE_MS,
    fingerprintProblems,
    Preview,
} from "./approve";

export interface ApprovalStoreOptions {
    /** JSON-lines file; omitted: memory only. */
    file?: string;
    /** Previews kept (default 500). */
    maxPreviews?: number;
    /** How long an approval holds, and how old a preview may be to be approved (default 24 h). */
    maxAgeMs?: number;
    log?: (line: string) => void;
}

export const DEFAULT_MAX_PREVIEWS = 500;
/** Approvals kept per preview: more people approving adds nothing. */
export const MAX_APPROVALS_PER_PREVIEW = 10;

type Line = { type: "preview"; preview: Preview } | { type: "approval"; approval: Approval };

const ID_RE = /^[A-Za-z0-9-]{1,64}$/;
const STACK_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;

function isTime(value: unknown): value is string {
    return typeof value === "string" && !Number.isNaN(Date.parse(value));
}

function isPersonId(value: unknown): value is string {
    return typeof value === "string" && value !== "" && value.length <= 300;
}

/** Problems of a preview record's shape (what the store accepts and reloads). */
export function previewProblems(p: Partial<Record<keyof Preview, unknown>>): string[] {
    const checks: [boolean, string][] = [
        [typeof p.id === "string" && ID_RE.test(p.id), "id: not an id"],
        [typeof p.stack === "string" && STACK_RE.test(p.stack), "stack: not a stack name"],
        [isPersonId(p.author), "author: not a person id"],
        [isTime(p.createdAt), "createdAt: not a time"],
        [p.planFile === undefined || typeof p.planFile === "string", "planFile: not a path"],
    ];
    return [
        ...fingerprintProblems(p),
        ...checks.filter(([ok]) => !ok).map(([, problem]) => problem),
    ];
}

function isApproval(a: Partial<Record<keyof Approval, unknown>>): a is Approval {
    return (
        typeof a.previewId === "string" &&
        ID_RE.test(a.previewId) &&
        isPersonId(a.approver) &&
        isTime(a.at)
    );
}

export class ApprovalStore implements ApprovalSource {
    readonly maxAgeMs: number;
    private readonly maxPreviews: number;
    /** Insertion order = age: the first entry is the oldest. */
    private readonly previews = new Map<string, Preview>();
    private readonly approvals = new Map<string, Approval[]>();
    private linesInFile = 0;

    constructor(private readonly opts: ApprovalStoreOptions = {}) {
        this.maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
        this.maxPreviews = opts.maxPreviews ?? DEFAULT_MAX_PREVIEWS;
        if (opts.file) {
            this.load(opts.file);
        }
    }

    get size(): { previews: number; approvals: number } {
        let approvals = 0;
        this.approvals.forEach((list) => (approvals += list.length));
        return { previews: this.previews.size, approvals };
    }

    preview(id: string): Preview | undefined {
        return this.previews.get(id);
    }

    previewsOf(stack: string): Preview[] {
        return [...this.previews.values()].filter((p) => p.stack === stack).reverse();
    }

    approvalsOf(previewId: string): Approval[] {
        return [...(this.approvals.get(previewId) ?? [])];
    }

    /** Records a preview; throws on a malformed one (a bug in the caller, never stored). */
    addPreview(preview: Preview): void {
        const problems = previewProblems(preview);
        if (problems.length > 0) {
            throw new Error(`not a preview record: ${problems.join("; ")}`);
        }
        this.keepPreview(preview);
        this.append({ type: "preview", preview });
    }

    /** Records an approval made by approve(); refuses one of an unknown preview or by its author. */
    addApproval(approval: Approval): void {
        const preview = this.previews.get(approval.previewId);
        if (!isApproval(approval) || preview === undefined) {
            throw new Error(
                `no preview ${JSON.stringify(approval.previewId)} to approve (unknown or dropped)`,
            );
        }
        if (approval.approver === preview.author) {
            throw new Error("an approval by the preview's author is never recorded");
        }
        if (this.keepApproval(approval)) {
            this.append({ type: "approval", approval });
        }
    }

    private keepPreview(preview: Preview): void {
        this.previews.delete(preview.id);
        this.previews.set(preview.id, { ...preview });
        for (const id of this.previews.keys()) {
            if (this.previews.size <= this.maxPreviews) {
                break;
            }
            this.previews.delete(id);
            this.approvals.delete(id);
        }
    }

    private keepApproval(approval: Approval): boolean {
        const list = this.approvals.get(approval.previewId) ?? [];
        if (list.length >= MAX_APPROVALS_PER_PREVIEW) {
            return false;
        }
        list.push({ previewId: approval.previewId, approver: approval.approver, at: approval.at });
        this.approvals.set(approval.previewId, list);
        return true;
    }

    /** Replays the file; malformed lines are skipped (and logged), never trusted. */
    private load(file: string): void {
        let text = "";
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
                throw e;
            }
        }
        let skipped = 0;
        for (const raw of text.split("\n").filter((l) => l.trim() !== "")) {
            this.linesInFile++;
            if (!this.replay(raw)) {
                skipped++;
            }
        }
        if (skipped > 0) {
            this.opts.log?.(`approvals ${file}: ${skipped} malformed line(s) skipped`);
        }
    }

    private replay(raw: string): boolean {
        let line: Partial<Line>;
        try {
            line = JSON.parse(raw) as Partial<Line>;
        } catch {
            return false;
        }
        if (line.type === "preview" && line.preview && previewProblems(line.preview).length === 0) {
            this.keepPreview(line.preview);
            return true;
        }
        if (line.type === "approval" && line.approval && isApproval(line.approval)) {
            const preview = this.previews.get(line.approval.previewId);
            return (
                preview !== undefined &&
                preview.author !== line.approval.approver &&
                this.keepApproval(line.approval)
            );
        }
        return false;
    }

    private append(line: Line): void {
        const file = this.opts.file;
        if (!file) {
            return;
        }
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.appendFileSync(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
        this.linesInFile++;
        const { previews, approvals } = this.size;
        if (this.linesInFile > 2 * Math.max(previews + approvals, this.maxPreviews)) {
            this.compact(file);
        }
    }

    /** Rewrites the file from memory, dropping previews that can no longer approve or be approved. */
    compact(file = this.opts.file, now = new Date()): void {
        if (!file) {
            return;
        }
        const alive = (t: string) => now.getTime() - Date.parse(t) <= this.maxAgeMs;
        for (const [id, p] of this.previews) {
            if (!alive(p.createdAt) && !this.approvalsOf(id).some((a) => alive(a.at))) {
                this.previews.delete(id);
                this.approvals.delete(id);
            }
        }
        const lines: Line[] = [...this.previews.values()].flatMap((preview): Line[] => [
            { type: "preview", preview },
            ...this.approvalsOf(preview.id).map((approval): Line => ({
                type: "approval",
                approval,
            })),
        ]);
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, lines.map((l) => `${JSON.stringify(l)}\n`).join(""), { mode: 0o600 });
        fs.renameSync(tmp, file);
        this.linesInFile = lines.length;
    }
}

export class ApprovalSettingsError extends Error {}

/** Where approvals are kept and how long they hold: PORTAL_APPROVALS_FILE, PORTAL_APPROVAL_TTL_HOURS. */
export function approvalSettingsFromEnv(
    env: NodeJS.ProcessEnv,
    dir: string,
): Required<Pick<ApprovalStoreOptions, "file" | "maxAgeMs">> {
    const hours = intFromEnv(
        env,
        "PORTAL_APPROVAL_TTL_HOURS",
        { default: DEFAULT_MAX_AGE_MS / 3600000, min: 1, max: 168, unit: "hours" },
        (m) => new ApprovalSettingsError(m),
    );
    return {
        file: env.PORTAL_APPROVALS_FILE?.trim() || path.join(dir, "approvals.jsonl"),
        maxAgeMs: hours * 3600000,
    };
}
