// Security-group access between components: the one pattern of this program (docs/architecture.md,
// "Access between components"). A component never writes rules onto another component's group and
// is never mutated after construction. It exposes what may be reached (AccessPoint: its group and a
// port); platform.ts admits each client with allowAccess, at one place. The rules are children of
// the component that owns the opened group, so they live, and are deleted, with that group.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** Something other components may be admitted to: a security group and one TCP port. */
export interface AccessPoint {
    /** Component that owns the group; the rules become its children. */
    owner: pulumi.Resource;
    /** Resource-name prefix of the rules, e.g. "web-platform-dev-data-db" (rule: "<prefix>-from-<client>"). */
    namePrefix: string;
    securityGroupId: pulumi.Input<string>;
    port: number;
    /** What the port serves, for the rule descriptions ("PostgreSQL", "Redis TLS"). */
    service: string;
    tags: Record<string, string>;
}

/** The client side of a grant. */
export interface AccessClient {
    /** Short name in rule names (and descriptions), e.g. "web", "worker-jobs", "alb". */
    name: string;
    /** How descriptions name the client. @default name */
    label?: string;
    securityGroupId: pulumi.Input<string>;
    /**
     * Also open the client's egress to the point: for a client group without open egress (the
     * ALB's). @default false (the client's egress is already open)
     */
    needsEgress?: boolean;
}

/** Resource names of a grant's rules: stable, so a plan keeps their URNs. */
export function accessRuleNames(
    point: Pick<AccessPoint, "namePrefix">,
    client: Pick<AccessClient, "name">,
): { ingress: string; egress: string } {
    return {
        ingress: `${point.namePrefix}-from-${client.name}`,
        egress: `${point.namePrefix}-from-${client.name}-egress`,
    };
}

const admitted = new WeakMap<pulumi.Resource, Set<string>>();

/** Admit `client` to every point: one ingress rule per point (plus an egress rule when asked). */
export function allowAccess(
    client: AccessClient,
    points: AccessPoint[],
    opts: {
        aliases?: (kind: "ingress" | "egress", point: AccessPoint) => pulumi.Input<pulumi.Alias>[];
    } = {},
): void {
    for (const point of points) {
        const names = accessRuleNames(point, client);
        const seen = admitted.get(point.owner) ?? new Set<string>();
        if (seen.has(names.ingress)) {
            throw new Error(
                `${point.namePrefix}: client "${client.name}" is already admitted; give each client a distinct name`,
            );
        }
        seen.add(names.ingress);
        admitted.set(point.owner, seen);
        new aws.vpc.SecurityGroupIngressRule(
            names.ingress,
            {
                securityGroupId: point.securityGroupId,
                referencedSecurityGroupId: client.securityGroupId,
                ipProtocol: "tcp",
                fromPort: point.port,
                toPort: point.port,
                description: `${point.service} from ${client.label ?? client.name}`,
                tags: { ...point.tags, Name: names.ingress },
            },
            { parent: point.owner, aliases: opts.aliases?.("ingress", point) },
        );
        if (client.needsEgress) {
            new aws.vpc.SecurityGroupEgressRule(
                names.egress,
                {
                    securityGroupId: client.securityGroupId,
                    referencedSecurityGroupId: point.securityGroupId,
                    ipProtocol: "tcp",
                    fromPort: point.port,
                    toPort: point.port,
                    description: `${client.label ?? client.name} to ${point.service}`,
                    tags: { ...point.tags, Name: names.egress },
                },
                { parent: point.owner, aliases: opts.aliases?.("egress", point) },
            );
        }
    }
}
