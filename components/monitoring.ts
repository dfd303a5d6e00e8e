import * as pulumi from "@pulumi/pulumi";
import { MonitoringConfig } from "../config/types";

export type MonitoredCompute =
    | { kind: "ecs"; name: string; clusterName: pulumi.Input<string>; serviceName: pulumi.Input<string> }
    | { kind: "asg"; name: string; autoScalingGroupName: pulumi.Input<string> };

export interface MonitoringArgs {
    config: MonitoringConfig;
    region: string;
    alb: { arnSuffix: pulumi.Input<string>; targetGroupArnSuffix: pulumi.Input<string> };
    /** The web service first, then workers. */
    compute: MonitoredCompute[];
    database?: { primaryIdentifier: pulumi.Input<string>; replicaIdentifiers: pulumi.Input<string>[] };
    cache?: { replicationGroupId: pulumi.Input<string>; memberClusterIds: pulumi.Input<string[]>; numNodes: number };
    tags: Record<string, string>;
}

/** SNS alarm topic, alarms with real dimensions, and a CloudWatch dashboard. */
export class Monitoring extends pulumi.ComponentResource {
    public readonly alarmTopicArn!: pulumi.Output<string>;
    public readonly dashboardName!: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:monitoring:Monitoring", name, {}, opts);
        void args;
        throw new Error("Monitoring: not implemented yet");
    }
}
