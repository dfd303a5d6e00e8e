// Stream tickets: how a browser's EventSource, which cannot send an Authorization header, follows
// an operation's events without the bearer token ever going into a URL. An authenticated POST
// (`read` on the operation's stack) gets a ticket: 256 random bits, good for one connection to
// that one operation's event stream, within 30 seconds. The ticket is kept only as its SHA-256;
// it grants nothing else, and a used or expired one is refused like a wrong one.
import { createHash, randomBytes } from "crypto";
import { Person } from "../identity/types";

export interface Ticket {
    operationId: string;
    person: Person;
    /** Replay only events after this sequence number (the page resumes where it was). */
    after: number;
    expiresAt: number;
}

export const TICKET_TTL_MS = 30000;
/** Outstanding tickets kept at most; beyond it the oldest are dropped (their streams were never opened). */
export const MAX_TICKETS = 1000;

const hashOf = (ticket: string) => createHash("sha256").update(ticket, "utf8").digest("hex");

export class StreamTickets {
    private readonly tickets = new Map<string, Ticket>();

    constructor(
        private readonly ttlMs = TICKET_TTL_MS,
        private readonly max = MAX_TICKETS,
        private readonly now: () => number = Date.now,
    ) {}

    get size(): number {
        return this.tickets.size;
    }

    /** A new ticket for `person` to open the event stream of `operationId` once. */
    issue(operationId: string, person: Person, after = 0): { ticket: string; expiresAt: Date } {
        this.prune();
        const ticket = randomBytes(32).toString("base64url");
        const expiresAt = this.now() + this.ttlMs;
        this.tickets.set(hashOf(ticket), { operationId, person, after, expiresAt });
        for (const key of this.tickets.keys()) {
            if (this.tickets.size <= this.max) {
                break;
            }
            this.tickets.delete(key);
        }
        return { ticket, expiresAt: new Date(expiresAt) };
    }

    /** The ticket's grant, consumed; undefined when unknown, used, expired or for another operation. */
    redeem(ticket: string, operationId: string): Ticket | undefined {
        if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) {
            return undefined;
        }
        const key = hashOf(ticket);
        const found = this.tickets.get(key);
        if (found === undefined) {
            return undefined;
        }
        this.tickets.delete(key);
        return found.operationId === operationId && found.expiresAt > this.now()
            ? found
            : undefined;
    }

    private prune(): void {
        const now = this.now();
        for (const [key, t] of this.tickets) {
            if (t.expiresAt <= now) {
                this.tickets.delete(key);
            }
        }
    }
}
