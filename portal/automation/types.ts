// Shapes the automation library hands back to a portal: typed events, typed errors and one result
// type for every operation. Nothing here carries a secret in clear.

/** What a caller can start. `plan` is offline (mock engine), the rest drive the Pulumi CLI. */
export type OperationKind = "plan" | "preview" | "up" | "destroy";

/** Every failure an operation can report, so a portal can branch without parsing messages. */
export type ErrorKind =
    | "invalid-request" // bad stack name, forbidden option, malformed override
    | "config-invalid" // the config check (rules + mandatory policies) rejected the effective stack config
    | "policy-config-missing" // no policy/config/<stack>.json: guardrails must be explicit per stack
    | "backend-misconfigured" // file backend without PULUMI_CONFIG_PASSPHRASE, bad state dir
    | "cli-missing" // the Automation API needs the pulumi CLI on PATH
    | "stack-busy" // ConcurrentUpdateError: another update holds the stack lock
    | "stack-not-found" // StackNotFoundError
    | "policy-violation" // a mandatory policy failed: nothing was changed past that point
    | "policy-not-enforced" // a remote run did not report the policy pack (not enforced by Pulumi Cloud)
    | "program-error" // the Pulumi program (or a provider) failed
    | "interrupted" // cancelled (shutdown, abort signal)
    | "engine-error"; // any other CLI failure

export interface FieldError {
    /** Full config key, possibly with a path ("web-platform:capacity.max"), or a request field. */
    field: string;
    message: string;
    /** The offending value; secrets are replaced by "[secret]". */
    value?: unknown;
    /** The policy that refuses the value, when a mandatory policy of the stack is the reason. */
    policy?: string;
}

export interface OperationError {
    kind: ErrorKind;
    message: string;
    /** What to do about it (install link, env var to set, ...). */
    hint?: string;
    /** Per-key problems for config-invalid / invalid-request. */
    fields?: FieldError[];
}

/** A policy violation as a portal shows it. `level` uses the pack's words (advisory/mandatory). */
export interface Violation {
    policy: string;
    pack: string;
    urn?: string;
    level: "mandatory" | "advisory" | "disabled" | string;
    message: string;
}

/**
 * Engine progress, normalised. The engine's own events (preview/up/destroy) and the offline plan
 * map onto the same shapes, so a portal renders both the same way.
 */
export type PortalEvent =
    | {
          type: "step";
          phase: "pre" | "done";
          op: string;
          urn: string;
          resourceType: string;
          planning?: boolean;
      }
    | { type: "step-failed"; op: string; urn: string; resourceType: string }
    | { type: "diagnostic"; severity: string; message: string; urn?: string }
    | ({ type: "policy" } & Violation)
    | { type: "summary"; changes: Record<string, number>; durationSeconds?: number }
    | { type: "cancelled" };

export type EventSink = (event: PortalEvent) => void;

export interface OperationResult {
    ok: boolean;
    operation: OperationKind | "outputs";
    stack: string;
    /** Resource counts by step kind (create/update/same/delete/... or create/read for a plan). */
    summary: Record<string, number>;
    /** Stack outputs, secrets replaced by "[secret]". */
    outputs: Record<string, unknown>;
    violations: Violation[];
    error?: OperationError;
    durationMs: number;
}

/** Caller-supplied config for preview/up/plan: full keys ("web-platform:capacity", "aws:region"). */
export interface ConfigOverrides {
    /** Plain values. Objects merge one level into the stack's current value (like `--path` sets). */
    config?: Record<string, unknown>;
    /** Values stored encrypted (`pulumi config set --secret`), e.g. cloudflare:apiToken. */
    secrets?: Record<string, unknown>;
}
