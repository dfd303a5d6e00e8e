// Test helpers: build resources as the engine sends them (wire values) and evaluate the pack.
import { EvalResource, EvaluationResult, PackConfig, evaluatePolicies } from "./evaluate";
import { policies } from "../policies";
import { UNKNOWN_SENTINEL } from "../policies/lib";

/** The engine's unknown value (what a computed output looks like during preview). */
export const UNKNOWN = UNKNOWN_SENTINEL;

/** A secret as it travels on the wire. */
export function secret(value: unknown): Record<string, unknown> {
    return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::web-platform::${type}::${name}`;
}

export interface ResOptions {
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    parent?: string;
    protect?: boolean;
}

/** A resource with wire props; dependencies by URN. */
export function res(
    type: string,
    name: string,
    props: Record<string, unknown>,
    opts: ResOptions = {},
): EvalResource {
    const deps = new Set([
        ...(opts.dependencies ?? []),
        ...Object.values(opts.propertyDependencies ?? {}).flat(),
    ]);
    return {
        urn: urnOf(type, name),
        type,
        name,
        parent: opts.parent,
        props,
        dependencies: [...deps],
        propertyDependencies: opts.propertyDependencies ?? {},
        opts: { protect: opts.protect ?? false },
    };
}

export interface RunOptions {
    config?: PackConfig;
    /** Only evaluate these policies (default: all). */
    only?: string[];
    stackTags?: Record<string, string>;
}

/** Evaluate the pack over resources, the way the engine would. */
export function evaluate(
    resources: EvalResource[],
    opts: RunOptions = {},
): Promise<EvaluationResult> {
    return evaluatePolicies({
        resources,
        policies,
        config: opts.config,
        only: opts.only,
        stackTags: opts.stackTags,
        packEnforcementLevel: "mandatory",
    });
}

/** Evaluate a single policy and return its result. */
export async function one(
    policy: string,
    resources: EvalResource[],
    config?: PackConfig,
): Promise<EvaluationResult> {
    return evaluate(resources, { only: [policy], config });
}

/** Messages of violations (optionally for one resource name). */
export function messages(r: EvaluationResult, name?: string): string[] {
    return r.violations.filter((v) => name === undefined || v.name === name).map((v) => v.message);
}

export const T = {
    lb: "aws:lb/loadBalancer:LoadBalancer",
    albLb: "aws:alb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    albListener: "aws:alb/listener:Listener",
    rule: "aws:lb/listenerRule:ListenerRule",
    tg: "aws:lb/targetGroup:TargetGroup",
    waf: "aws:wafv2/webAclAssociation:WebAclAssociation",
    bucket: "aws:s3/bucket:Bucket",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    asg: "aws:autoscaling/group:Group",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    launchConfiguration: "aws:ec2/launchConfiguration:LaunchConfiguration",
    instance: "aws:ec2/instance:Instance",
    classicElb: "aws:elb/loadBalancer:LoadBalancer",
    ebsVolume: "aws:ebs/volume:Volume",
    ecsService: "aws:ecs/service:Service",
    taskDef: "aws:ecs/taskDefinition:TaskDefinition",
    scalingTarget: "aws:appautoscaling/target:Target",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
    asgPolicy: "aws:autoscaling/policy:Policy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;
