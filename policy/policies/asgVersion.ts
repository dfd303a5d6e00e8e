// asg-launch-template-version-pinned: an Auto Scaling group with an instance refresh follows a
// concrete launch template version. With "$Latest" or "$Default" (and with no version, which AWS
// reads as "$Default") a new template version leaves the group's own arguments unchanged, so the
// provider never starts the refresh and the running instances keep the old template.
import * as aws from "@pulumi/aws";
import { GuardrailPolicy, ResourceCtx, check, resourcePolicy } from "./lib";

const FLOATING = ["$Latest", "$Default"];

interface TemplateRef {
    property: string;
    version: string | undefined;
}

/** The group's launch template references: plain, or inside a mixed instances policy. */
export function templateRefs(g: {
    launchTemplate?: { version?: string };
    mixedInstancesPolicy?: {
        launchTemplate?: { launchTemplateSpecification?: { version?: string } };
    };
}): TemplateRef[] {
    const out: TemplateRef[] = [];
    if (g.launchTemplate) {
        out.push({ property: "launchTemplate.version", version: g.launchTemplate.version });
    }
    const spec = g.mixedInstancesPolicy?.launchTemplate?.launchTemplateSpecification;
    if (spec) {
        out.push({
            property: "mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.version",
            version: spec.version,
        });
    }
    return out;
}

export const asgLaunchTemplateVersionPinned = resourcePolicy<Record<string, never>>({
    name: "asg-launch-template-version-pinned",
    description:
        "Auto Scaling groups with an instance refresh reference a concrete launch template version, not $Latest or $Default (a new version would never start a refresh).",
    enforcementLevel: "mandatory",
    metadata: { severity: "medium", category: "compute", anchors: [] },
    config: {},
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<Record<string, never>>) => {
            if (g.instanceRefresh === undefined) {
                ctx.args.notApplicable("no instanceRefresh: nothing is rolled out automatically");
            }
            const refs = templateRefs(g);
            if (refs.length === 0) {
                ctx.args.notApplicable(
                    "no launch template (launch configurations are versioned by replacement)",
                );
            }
            for (const ref of refs) {
                if (ref.version === undefined || FLOATING.includes(ref.version)) {
                    ctx.violation({
                        property: ref.property,
                        found: ref.version,
                        awsDefault: "$Default",
                        expected:
                            "a concrete version number, so a new template version changes the group and starts the instance refresh",
                        fix: "set version: launchTemplate.latestVersion.apply(String)",
                    });
                }
            }
        }),
    ],
});

export const asgVersionPolicies: GuardrailPolicy[] = [asgLaunchTemplateVersionPinned];
