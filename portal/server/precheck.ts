// The refusals before an operation is queued: an unknown stack (422) and stack config the program
// or the stack's mandatory policies would refuse (400, each field named), one check for every route.
import { policyPaths } from "../automation";
import { validateConfig } from "../automation/config";
import { AutomationError } from "../automation/errors";
import { OperationKind } from "../automation/types";
import { PortalContext } from "./context";
import { OperationBody } from "./request";
import { HttpError, statusForError } from "./responses";

/**
 * Everything that can be refused without running anything, checked before queueing: the stack must
 * be known and have a policy config (422), and the plan's own config check must accept the
 * overrides (400, each field named, with the policy when a mandatory policy is the reason).
 */
export function precheck(
    ctx: PortalContext,
    kind: OperationKind,
    stack: string,
    body: OperationBody,
): void {
    if (kind === "destroy") {
        return;
    }
    try {
        policyPaths(ctx.automation.workDir, stack);
        validateConfig(
            stack,
            { config: body.config, secrets: body.secrets },
            { workDir: ctx.automation.workDir, mode: kind === "plan" ? "plan" : "engine" },
        );
    } catch (e) {
        if (e instanceof AutomationError) {
            const d = e.detail;
            throw new HttpError(statusForError(d), {
                error: d.kind,
                message: d.message,
                ...(d.hint ? { hint: d.hint } : {}),
                fields: d.fields ?? [],
            });
        }
        throw e;
    }
}
