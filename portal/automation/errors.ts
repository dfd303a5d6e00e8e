// Engine errors -> typed results. The Automation API throws CommandError subclasses with the CLI's
// stderr; a portal needs a kind to branch on, a short message and what to do about it.
import { CommandError, ConcurrentUpdateError, StackNotFoundError } from "@pulumi/pulumi/automation";
import { BackendConfigError } from "./backend";
import { OperationError, Violation } from "./types";

export const CLI_INSTALL_HINT =
    "The Automation API drives the Pulumi CLI, which is not installed or not on PATH: " +
    "install it (https://www.pulumi.com/docs/install/), or point PATH at it, then retry.";

/** Errors the library raises itself before any engine work. */
export class AutomationError extends Error {
    constructor(public readonly detail: OperationError) {
        super(detail.message);
        this.name = "AutomationError";
    }
}

/** Strips ANSI colour codes the CLI may leave in messages. */
export function stripAnsi(text: string): string {
    return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** The useful lines of a CommandError: its stderr's `error:` lines, else the first lines of stderr. */
function commandMessage(e: Error): string {
    const text = stripAnsi(e.message);
    const stderr = /\n stderr: ([\s\S]*?)\n err\?: /.exec(text)?.[1] ?? text;
    const errors = stderr
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^error:/i.test(l));
    const lines =
        errors.length > 0
            ? errors
            : stderr
                  .split("\n")
                  .map((l) => l.trim())
                  .filter(Boolean);
    const joined = lines.slice(0, 5).join("\n");
    return joined.length > 2000 ? `${joined.slice(0, 2000)}…` : joined || "the Pulumi CLI failed";
}

function isNamed(e: unknown, name: string): boolean {
    return e instanceof Error && e.name === name;
}

/** True when the CLI binary could not be started (spawn ENOENT), whatever wrapped it. */
export function isCliMissing(e: unknown): boolean {
    if (!(e instanceof Error)) {
        return false;
    }
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        return true;
    }
    return (
        /ENOENT/.test(e.message) &&
        /pulumi/i.test(e.message) &&
        /spawn|Command failed/i.test(e.message)
    );
}

export interface ClassifyContext {
    /** Mandatory violations seen as policy events during the run. */
    violations?: Violation[];
    /** Error diagnostics seen during the run. */
    errorDiagnostics?: string[];
    /** The operation was aborted (shutdown, caller's signal). */
    aborted?: boolean;
}

/** Maps anything an operation threw to a typed error. */
export function classifyError(e: unknown, ctx: ClassifyContext = {}): OperationError {
    if (e instanceof AutomationError) {
        return e.detail;
    }
    if (e instanceof BackendConfigError) {
        return { kind: "backend-misconfigured", message: e.message, hint: e.hint };
    }
    if (isCliMissing(e)) {
        return { kind: "cli-missing", message: "pulumi CLI not found", hint: CLI_INSTALL_HINT };
    }
    if (e instanceof ConcurrentUpdateError || isNamed(e, "ConcurrentUpdateError")) {
        return {
            kind: "stack-busy",
            message: commandMessage(e as Error),
            hint: "another update is running on this stack; wait for it, or if it died, `pulumi cancel` (cloud) / `pulumi stack unlock` (DIY) after checking",
        };
    }
    if (e instanceof StackNotFoundError || isNamed(e, "StackNotFoundError")) {
        return {
            kind: "stack-not-found",
            message: commandMessage(e as Error),
            hint: "create the stack with a preview or up first",
        };
    }
    const message =
        e instanceof Error
            ? e instanceof CommandError || isNamed(e, "CommandError")
                ? commandMessage(e)
                : stripAnsi(e.message)
            : String(e);
    if (ctx.aborted) {
        return {
            kind: "interrupted",
            message: "the operation was cancelled before it finished",
            hint: "check the stack with a preview; an interrupted update may need `pulumi refresh`",
        };
    }
    const mandatory = (ctx.violations ?? []).filter((v) => v.level === "mandatory");
    if (mandatory.length > 0 || /mandatory polic(y|ies)|policy violations?/i.test(message)) {
        return {
            kind: "policy-violation",
            message:
                mandatory.length > 0
                    ? `${mandatory.length} mandatory policy violation${mandatory.length === 1 ? "" : "s"}: ${mandatory
                          .map((v) => v.policy)
                          .filter((p, i, a) => a.indexOf(p) === i)
                          .join(", ")}`
                    : message,
            hint: "fix the stack config or program; mandatory guardrails cannot be skipped from the portal",
        };
    }
    if (
        (ctx.errorDiagnostics ?? []).length > 0 ||
        /Running program .* failed|unhandled exception|TSError|ConfigError|error: .*program/i.test(
            message,
        )
    ) {
        const detail = (ctx.errorDiagnostics ?? []).slice(0, 3).join("\n");
        return { kind: "program-error", message: detail || message };
    }
    return { kind: "engine-error", message };
}
