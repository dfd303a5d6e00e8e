// A deterministic mock cloud for the mock engine: IDs, ARNs and computed outputs in AWS's formats.
// The answers live in engine/cloud/* by provider; this file adapts them to the engine's
// MockCloud and fills in a generic name and ARN for types no provider module models yet.
// Data sources: a pinned answer (--mocks) first, then the hand-written one (cloud/dataSources.ts,
// its missing result fields completed by shape), then one made up from the function's result type
// (cloud/shapes.ts); what was made up is listed (`invented()`).
import * as path from "path";
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { MockCloud } from "./engine";
import { answerCall, cloudContext, describeResource } from "./cloud";
import { plain } from "./cloud/context";
import { hexId } from "./cloud/ids";
import { completeAnswer, shapeAnswer, tokenParts } from "./cloud/shapes";
import { shapesFor } from "./cloud/shapeSchema";
import { defaultCacheDir } from "./compileCache";
import { InventedAnswer, PlanMocks } from "./planTypes";

const ROOT = path.resolve(__dirname, "..");

export interface MockCloudOptions {
    region?: string;
    accountId?: string;
    azCount?: number;
    /** Pinned answers (--mocks): data-source results that replace, resource outputs merged over. */
    mocks?: PlanMocks;
    /**
     * Where the program's provider packages are resolved from, for the result types of data sources
     * (default: the repo). The program's directory goes first.
     */
    packageDirs?: string[];
    /** Where the data-source shape tables are cached (default: the plan's cache directory). */
    cacheDir?: string;
}

/** The mock cloud a plan runs against, with what it made up and what of the pins it used. */
export interface PlanMockCloud extends MockCloud {
    /** Data-source answers made up from the result types, one per token, in call order. */
    invented(): InventedAnswer[];
    /** The pinned tokens the program used (--mocks), by section. */
    pinsUsed(): { invokes: string[]; resources: string[] };
}

export function createMockCloud(options: MockCloudOptions = {}): PlanMockCloud {
    const region = options.region ?? "us-east-1";
    const account = options.accountId ?? "123456789012";
    // The region's real AZ letters (us-east-1 a-f, us-west-1 b-c, most regions a-c).
    const ctx = cloudContext({ region, accountId: account, azCount: options.azCount });
    const pinnedInvokes = options.mocks?.invokes ?? {};
    const pinnedResources = options.mocks?.resources ?? {};
    const packageDirs = options.packageDirs ?? [ROOT];
    const cacheDir = options.cacheDir ?? defaultCacheDir(ROOT);
    const invented = new Map<string, InventedAnswer>();
    const used = { invokes: new Set<string>(), resources: new Set<string>() };

    const arn = (service: string, resource: string) =>
        `arn:aws:${service}:${region}:${account}:${resource}`;

    function newResource(args: MockResourceArgs): {
        id: string | undefined;
        state: Record<string, unknown>;
    } {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        const suffix = hexId(`${args.type}/${args.name}`);
        const state: Record<string, unknown> = { ...inputs };
        let id: string = `${args.name}-${suffix.slice(0, 8)}`;
        // The realistic cloud by provider (engine/cloud/*); add a new type's answer there.
        const answer = describeResource(ctx, args);
        if (answer) {
            Object.assign(state, answer.state);
            id = answer.id ?? id;
        }
        if (state.arn === undefined && args.custom !== false) {
            const [pkg, mod] = args.type.split(":");
            if (pkg === "aws") {
                state.arn = arn(mod.split("/")[0], `${args.name}/${suffix}`);
            }
        }
        if (state.name === undefined && inputs.name === undefined && args.custom !== false) {
            state.name = `${args.name}-${suffix.slice(0, 7)}`;
        }
        const pinned = pinnedResources[args.type];
        if (pinned) {
            used.resources.add(args.type);
            Object.assign(state, structuredClone(pinned));
            id = typeof pinned.id === "string" ? pinned.id : id;
        }
        state.id = id;
        return { id, state };
    }

    function note(token: string, fields?: string[]): void {
        const seen = invented.get(token);
        if (!seen) {
            invented.set(token, fields ? { token, fields: [...fields] } : { token });
        } else if (seen.fields) {
            // A whole invented answer covers every field; otherwise the union of the fields.
            seen.fields = fields ? [...new Set([...seen.fields, ...fields])] : undefined;
            if (!seen.fields) {
                delete seen.fields;
            }
        }
    }

    function call(args: MockCallArgs): Record<string, unknown> | undefined {
        const token = args.token;
        const pinned = pinnedInvokes[token];
        if (pinned) {
            used.invokes.add(token);
            return structuredClone(pinned);
        }
        const inputs = (plain(args.inputs ?? {}) ?? {}) as Record<string, unknown>;
        const shape = shapesFor(tokenParts(token).provider, packageDirs, cacheDir)?.(token);
        // Hand-written answers (regions, AZs, AMIs, policy documents, ELB zones, Cloudflare ranges).
        const known = answerCall(ctx, token, inputs);
        if (known) {
            if (!shape) {
                return known;
            }
            const completed = completeAnswer(ctx, shape, token, inputs, known);
            if (completed.added.length > 0) {
                note(token, completed.added);
            }
            return completed.answer;
        }
        const shaped = shape ? shapeAnswer(ctx, shape, token, inputs) : undefined;
        if (shaped) {
            note(token);
        }
        // Nothing at all (not a provider package's data source): reported as unanswered.
        return shaped;
    }

    return {
        newResource,
        call,
        invented: () => [...invented.values()].map((i) => ({ ...i })),
        pinsUsed: () => ({ invokes: [...used.invokes], resources: [...used.resources] }),
    };
}
