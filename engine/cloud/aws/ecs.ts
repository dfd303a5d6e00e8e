// ECS: clusters, capacity providers, services (ARN `service/<cluster>/<name>`) and task
// definitions (revision 1).
import { str } from "../context";
import { arn, autoname, Builder, physicalName, seedOf } from "./common";

/** Last path segment of an ARN-like string (`.../cluster/name` -> `name`). */
function lastSegment(value: string | undefined): string | undefined {
    return value?.split(/[/:]/).pop();
}

export const ECS: Record<string, Builder> = {
    "aws:ecs/cluster:Cluster": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        const a = arn(ctx, "ecs", `cluster/${name}`);
        return { id: a, state: { name, arn: a } };
    },
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (_ctx, _args, inputs) => ({
        id: str(inputs.clusterName) ?? "",
        state: {},
    }),
    "aws:ecs/service:Service": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        const cluster = str(inputs.cluster) ?? arn(ctx, "ecs", "cluster/default");
        const clusterName = lastSegment(cluster) ?? "default";
        const a = arn(ctx, "ecs", `service/${clusterName}/${name}`);
        return { id: a, state: { name, arn: a, cluster } };
    },
    "aws:ecs/taskDefinition:TaskDefinition": (ctx, args, inputs) => {
        const family = str(inputs.family) ?? autoname(args.name, seedOf(args));
        const arnWithoutRevision = arn(ctx, "ecs", `task-definition/${family}`);
        return {
            id: family,
            state: { family, revision: 1, arn: `${arnWithoutRevision}:1`, arnWithoutRevision },
        };
    },
};
