// Elastic Load Balancing: load balancers, target groups, listeners and their rules, as the
// provider reports them (ARNs with `app|net|gwy/<name>/<16 hex>`, regional DNS names).
import { plain, str } from "../context";
import { hexId, stableDigits, stableUpper } from "../ids";
import { arn, Builder, physicalName, seedOf } from "./common";

/** Route 53 zone ids of ALBs per region (the alias target zone). */
export const ALB_ZONE_IDS: Record<string, string> = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "ca-central-1": "ZQSVJUPU6J1EY",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-west-2": "ZHURV8PSTC4K8",
    "eu-west-3": "Z3Q77PNBQS71R4",
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-north-1": "Z23TAZ7KFP3HS6",
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "ap-northeast-2": "ZWKZPGTI48KDX",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
    "ap-south-1": "ZP97RAFLXTNZK",
    "sa-east-1": "Z2P70J7HTTTPLU",
};

/** `app/<name>/<16 hex>` from a load balancer ARN, if it is one. */
function lbSuffixOf(lbArn: string | undefined): string | undefined {
    const m = /:loadbalancer\/((?:app|net|gwy)\/[^/]+\/[0-9a-f]+)$/.exec(lbArn ?? "");
    return m?.[1];
}

export const ELB: Record<string, Builder> = {
    "aws:lb/loadBalancer:LoadBalancer": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 32);
        const kind =
            str(inputs.loadBalancerType) === "network"
                ? "net"
                : str(inputs.loadBalancerType) === "gateway"
                  ? "gwy"
                  : "app";
        const arnSuffix = `${kind}/${name}/${hexId(seedOf(args), 16)}`;
        const internal = plain(inputs.internal) === true;
        const dnsName = `${internal ? "internal-" : ""}${name}-${stableDigits(seedOf(args), 10)}.${ctx.region}.elb.amazonaws.com`;
        const a = arn(ctx, "elasticloadbalancing", `loadbalancer/${arnSuffix}`);
        return {
            id: a,
            state: {
                name,
                arn: a,
                arnSuffix,
                dnsName,
                zoneId: ALB_ZONE_IDS[ctx.region] ?? `Z${stableUpper(`alb-zone/${ctx.region}`, 13)}`,
                loadBalancerType: str(inputs.loadBalancerType) ?? "application",
                vpcId: `vpc-${hexId(`lb-vpc/${args.name}`)}`,
                ipAddressType: str(inputs.ipAddressType) ?? "ipv4",
            },
        };
    },
    "aws:lb/targetGroup:TargetGroup": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 32);
        const arnSuffix = `targetgroup/${name}/${hexId(seedOf(args), 16)}`;
        const a = arn(ctx, "elasticloadbalancing", arnSuffix);
        return { id: a, state: { name, arn: a, arnSuffix, loadBalancerArns: [] } };
    },
    "aws:lb/listener:Listener": (ctx, args, inputs) => {
        const lb =
            lbSuffixOf(str(inputs.loadBalancerArn)) ??
            `app/${args.name.slice(0, 32)}/${hexId(`${seedOf(args)}/lb`, 16)}`;
        const a = arn(ctx, "elasticloadbalancing", `listener/${lb}/${hexId(seedOf(args), 16)}`);
        return { id: a, state: { arn: a } };
    },
    "aws:lb/listenerRule:ListenerRule": (ctx, args, inputs) => {
        const listener =
            /:listener\/(.+)$/.exec(str(inputs.listenerArn) ?? "")?.[1] ??
            `app/${args.name}/${hexId(`${seedOf(args)}/lb`, 16)}/${hexId(`${seedOf(args)}/l`, 16)}`;
        const a = arn(
            ctx,
            "elasticloadbalancing",
            `listener-rule/${listener}/${hexId(seedOf(args), 16)}`,
        );
        return { id: a, state: { arn: a } };
    },
    "aws:lb/listenerCertificate:ListenerCertificate": (_ctx, _args, inputs) => ({
        id: `${str(inputs.listenerArn) ?? ""}_${str(inputs.certificateArn) ?? ""}`,
        state: {},
    }),
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": (_ctx, args, inputs) => ({
        id: `${str(inputs.targetGroupArn) ?? args.name}-${stableDigits(seedOf(args), 20)}`,
        state: {},
    }),
};
