// A deterministic mock cloud for the mock engine: IDs, ARNs and computed outputs in AWS's formats.
// The answers live in engine/cloud/* by provider; this file adapts them to the engine's
// MockCloud and fills in a generic name and ARN for types no provider module models yet.
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { MockCloud } from "./engine";
import { answerCall, cloudContext, describeResource } from "./cloud";
import { hexId } from "./cloud/ids";

export interface MockCloudOptions {
    region?: string;
    accountId?: string;
    azCount?: number;
}

export function createMockCloud(options: MockCloudOptions = {}): MockCloud {
    const region = options.region ?? "us-east-1";
    const account = options.accountId ?? "123456789012";
    // The region's real AZ letters (us-east-1 a-f, us-west-1 b-c, most regions a-c).
    const ctx = cloudContext({ region, accountId: account, azCount: options.azCount });

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
        state.id = id;
        return { id, state };
    }

    function call(args: MockCallArgs): Record<string, unknown> | undefined {
        // Data sources (regions, AZs, AMIs, policy documents, ELB zones, Cloudflare ranges...) are
        // answered by cloud/dataSources.ts; an unknown one is reported (EngineRun.unanswered).
        return answerCall(ctx, args.token, (args.inputs ?? {}) as Record<string, unknown>);
    }

    return { newResource, call };
}
