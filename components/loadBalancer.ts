import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { HealthCheckConfig, LoadBalancerConfig, WafConfig } from "../config/types";

export interface LoadBalancerArgs {
    vpcId: pulumi.Input<string>;
    /** Public subnets in at least two AZs. */
    publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Port the app listens on (target group port). */
    appPort: number;
    healthCheck: HealthCheckConfig;
    settings: LoadBalancerConfig;
    waf: WafConfig;
    /** Certificate for the HTTPS listener: the configured ARN or a validated managed certificate. */
    certificateArn: pulumi.Input<string>;
    /** Origin lockdown: when given, 80/443 are admitted only from these (e.g. Cloudflare ranges)
     *  instead of settings.ingressCidrs / ingressIpv6Cidrs. */
    originCidrs?: { ipv4: string[]; ipv6: string[] };
    production: boolean;
    tags: Record<string, string>;
}

/** ALB, HTTPS + redirecting HTTP listeners, target group, security group, access logs, WAF. */
export class LoadBalancer extends pulumi.ComponentResource {
    public readonly alb!: aws.lb.LoadBalancer;
    public readonly targetGroup!: aws.lb.TargetGroup;
    public readonly httpsListener!: aws.lb.Listener;
    public readonly securityGroupId!: pulumi.Output<string>;
    public readonly dnsName!: pulumi.Output<string>;
    public readonly zoneId!: pulumi.Output<string>;
    /** "app/<name>/<id>": the LoadBalancer dimension of CloudWatch metrics. */
    public readonly albArnSuffix!: pulumi.Output<string>;
    /** "targetgroup/<name>/<id>": the TargetGroup dimension. */
    public readonly targetGroupArnSuffix!: pulumi.Output<string>;
    public readonly targetGroupArn!: pulumi.Output<string>;
    public readonly logsBucketName!: pulumi.Output<string | undefined>;
    public readonly webAclArn!: pulumi.Output<string | undefined>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:loadBalancer:LoadBalancer", name, {}, opts);
        void args;
        throw new Error("LoadBalancer: not implemented yet");
    }
}
