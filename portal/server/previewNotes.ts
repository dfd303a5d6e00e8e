// What each recorded preview showed (its plain overrides, the names of its secrets, findings, cost,
// change summary), kept in memory beside the durable approval record for the person who approves
// it. Never a secret value.
import { Violation } from "../automation/types";
import { CostView } from "./review";

/** What a preview showed, for its approver. */
export interface PreviewNote {
    operationId: string;
    overrides: Record<string, unknown>;
    secretNames: string[];
    violations: Violation[];
    cost: CostView | null;
    summary: Record<string, number>;
    message?: string;
    savedPlan: boolean;
}

/** Bounded like the approval store: the oldest notes go first. */
export class PreviewNotes {
    private readonly notes = new Map<string, PreviewNote>();

    constructor(private readonly max = 500) {}

    remember(previewId: string, note: PreviewNote): void {
        this.notes.set(previewId, note);
        for (const id of this.notes.keys()) {
            if (this.notes.size <= this.max) {
                break;
            }
            this.notes.delete(id);
        }
    }

    get(previewId: string): PreviewNote | undefined {
        return this.notes.get(previewId);
    }
}
