// required-tags (stack): taggable AWS resources carry the required tag keys; whether a type takes
// tags is read from the installed @pulumi/aws.
import * as fs from "fs";
import * as path from "path";
import { bool, fmt, isUnknownProp, peekRaw, stackPolicy, strList, tagsOf } from "../lib";

const taggableCache = new Map<string, boolean>();

/**
 * True if an AWS resource type takes `tags`, read from the installed @pulumi/aws (its class sets
 * resourceInputs["tags"]): exact for the provider version the program uses, no cloud call.
 */
export function isTaggableAwsType(type: string): boolean {
    const cached = taggableCache.get(type);
    if (cached !== undefined) {
        return cached;
    }
    let result = false;
    const m = /^aws:([A-Za-z0-9]+)\/([A-Za-z0-9]+):[A-Za-z0-9]+$/.exec(type);
    if (m) {
        try {
            const root = path.dirname(require.resolve("@pulumi/aws/package.json"));
            const file =
                m[1] === "index"
                    ? path.join(root, `${m[2]}.js`)
                    : path.join(root, m[1], `${m[2]}.js`);
            result =
                fs.existsSync(file) &&
                fs.readFileSync(file, "utf8").includes('resourceInputs["tags"]');
        } catch {
            result = false;
        }
    }
    taggableCache.set(type, result);
    return result;
}

interface TagsConfig {
    tags: string[];
    ignoreTypes: string[];
    allowEmptyValues: boolean;
}

export const requiredTags = stackPolicy<TagsConfig>({
    name: "required-tags",
    description:
        "Taggable AWS resources carry the required tag keys (provider default tags are not visible per resource: pass tags explicitly).",
    enforcementLevel: "mandatory",
    metadata: { severity: "low", category: "governance", anchors: [] },
    config: {
        tags: strList(
            ["project", "environment", "managed-by"],
            "Required tag keys (case-sensitive).",
        ),
        ignoreTypes: strList([], "Resource type tokens not checked (e.g. aws:ec2/eip:Eip)."),
        allowEmptyValues: bool(false, "Accept a required key with an empty value."),
    },
    validate: (ctx) => {
        for (const r of ctx.resources) {
            if (
                !r.type.startsWith("aws:") ||
                ctx.config.ignoreTypes.includes(r.type) ||
                !isTaggableAwsType(r.type)
            ) {
                continue;
            }
            // Tags unknown during preview: skip this resource only.
            if (isUnknownProp(r.props, "tags")) {
                continue;
            }
            const tags = tagsOf({ tags: peekRaw(r.props, "tags") });
            const missing = ctx.config.tags.filter(
                (k) =>
                    tags[k] === undefined ||
                    (!ctx.config.allowEmptyValues && tags[k].trim() === ""),
            );
            if (missing.length > 0) {
                ctx.violation(r, {
                    property: "tags",
                    found:
                        Object.keys(tags).length === 0
                            ? undefined
                            : `keys ${fmt(Object.keys(tags))}`,
                    awsDefault:
                        "no tags (provider defaultTags are applied by the provider and not visible here)",
                    expected: `tag keys ${fmt(ctx.config.tags)} (missing ${fmt(missing)})`,
                    fix: `pass tags: { ${missing.map((k) => `"${k}": "..."`).join(", ")} } on the resource (e.g. the stack's common tags object)`,
                });
            }
        }
    },
});
