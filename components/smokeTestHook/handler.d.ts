// Types of handler.js (the Lambda function's code, plain CommonJS) for the TypeScript that tests it.

export type HookStatus = "SUCCEEDED" | "FAILED" | "IN_PROGRESS";

/** What ECS passes a lifecycle hook (the fields the smoke test reads). */
export interface HookEvent {
    executionDetails?: Record<string, unknown>;
    executionId?: string;
    lifecycleStage?: string;
    resourceArn?: string;
    /** Handed back from the previous IN_PROGRESS answer (an object, or its JSON). */
    hookDetails?: { attempt?: number } | string;
}

export interface HookResult {
    hookStatus: HookStatus;
    /** IN_PROGRESS: seconds before ECS invokes the hook again. */
    callBackDelay?: number;
    hookDetails?: { attempt: number };
}

export interface SmokeSettings {
    paths: string[];
    expectedStatus: number;
    timeoutMs: number;
    maxAttempts: number;
    retryDelaySeconds: number;
    port: number;
    protocol: "http" | "https";
    hostname?: string;
    albArnSuffix?: string;
    targetAddress?: string;
    region?: string;
}

export interface AwsCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}

export function handler(event: HookEvent): Promise<HookResult>;
export function evaluate(
    event: HookEvent,
    settings: SmokeSettings,
    deps?: { lookup?: (settings: SmokeSettings) => Promise<string[]> },
): Promise<HookResult>;
export function settingsFromEnv(env?: Record<string, string | undefined>): SmokeSettings;
export function previousAttempts(event: HookEvent): number;
export function classify(
    result: { status?: number; body?: string; error?: Error & { code?: string } },
    expectedStatus: number,
): { kind: "ok" | "starting" | "miss"; reason?: string };
export function signV4(args: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
    service: string;
    region: string;
    credentials: AwsCredentials;
    now: Date;
}): Record<string, string>;
export function parsePrivateIps(xml: string): string[];
export function lookupAlbAddresses(
    settings: SmokeSettings,
    env?: Record<string, string | undefined>,
    now?: Date,
): Promise<string[]>;
export function ec2Host(region: string): string;
