// ecs-image-pinned: every container image of an ECS task definition names one build: a digest
// (`@sha256:` + 64 hex), or a tag of an immutable form (a full semantic version or a git SHA by
// default). `latest` and a missing tag (which means `latest`) are always refused: a task replaced
// by a scale-out or a host failure would pull whatever the tag points to by then, and a rollback
// to "the previous revision" would run the new code.
import * as aws from "@pulumi/aws";
import { ResourceCtx, bool, check, fmt, parseJson, resourcePolicy, str } from "../lib";

export interface ImagePinConfig {
    allowedTagPattern: string;
    requireDigest: boolean;
}

/** Semantic versions (1.4.2, v1.4.2, 1.4.2-rc.1, 1.4.2-alpine) and git SHAs (7-40 hex, optionally sha-/git-). */
export const DEFAULT_ALLOWED_TAG_PATTERN =
    "^v?[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$|^(sha-|git-)?[0-9a-f]{7,40}$";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** An image reference split into its parts: `[registry[:port]/]repository[:tag][@digest]`. */
export interface ImageRef {
    repository: string;
    tag?: string;
    digest?: string;
}

export function parseImage(image: string): ImageRef {
    const at = image.indexOf("@");
    const name = at >= 0 ? image.slice(0, at) : image;
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    // A colon before the last slash is a registry port (registry:5000/app), not a tag.
    return colon > slash
        ? { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest }
        : { repository: name, digest };
}

/** Why an image is not pinned, or undefined when it is. */
export function unpinnedReason(image: string, cfg: ImagePinConfig): string | undefined {
    const ref = parseImage(image);
    if (ref.digest !== undefined) {
        return DIGEST.test(ref.digest)
            ? undefined
            : `its digest ${fmt(ref.digest)} is not sha256: followed by 64 lower-case hex digits`;
    }
    if (cfg.requireDigest) {
        return "it has no digest (config requireDigest: a tag can be moved to another build)";
    }
    if (ref.tag === undefined || ref.tag === "") {
        return 'it has no tag, which pulls "latest" (whatever was pushed last)';
    }
    if (ref.tag === "latest") {
        return 'the tag "latest" moves with every push';
    }
    let allowed: RegExp;
    try {
        allowed = new RegExp(cfg.allowedTagPattern);
    } catch (e) {
        throw new Error(
            `ecs-image-pinned: config allowedTagPattern is not a valid regular expression: ${String(e)}`,
        );
    }
    return allowed.test(ref.tag)
        ? undefined
        : `the tag ${fmt(ref.tag)} is not of an immutable form (allowedTagPattern ${fmt(cfg.allowedTagPattern)})`;
}

export const ecsImagePinned = resourcePolicy<ImagePinConfig>({
    name: "ecs-image-pinned",
    description:
        "ECS task definitions run container images pinned to one build: a sha256 digest or an immutable tag form (semantic version or git SHA by default); `latest` and untagged images are refused.",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "compute", anchors: [] },
    config: {
        allowedTagPattern: str(
            DEFAULT_ALLOWED_TAG_PATTERN,
            'Regex a tag must match when the image has no digest (default: semantic versions and git SHAs). "latest" and a missing tag are refused whatever it says.',
        ),
        requireDigest: bool(
            false,
            "Accept only digests (image@sha256:...), no tag at all (a registry can move any tag unless the repository is immutable).",
        ),
    },
    remediation:
        "Deploy by digest (repository@sha256:...) or by a release tag (1.4.2, a git SHA) pushed once to an ECR repository with imageTagMutability IMMUTABLE.",
    checks: [
        check(aws.ecs.TaskDefinition, (td, ctx: ResourceCtx<ImagePinConfig>) => {
            // Unknown during preview (an image URI from a repository output): reading it skips.
            const defs = parseJson(td.containerDefinitions);
            if (!Array.isArray(defs)) {
                ctx.args.notApplicable(
                    "containerDefinitions is not a JSON array (ecs-task-hardening reports it)",
                );
            }
            for (const c of defs as Array<{ name?: string; image?: unknown }>) {
                const property = `containerDefinitions[${c.name ?? "?"}].image`;
                if (typeof c.image !== "string" || c.image === "") {
                    ctx.violation({
                        property,
                        found: c.image,
                        expected: "an image pinned by digest or an immutable tag",
                        fix: 'set image: "<repository>@sha256:<digest>" or "<repository>:<release tag>"',
                    });
                    continue;
                }
                const why = unpinnedReason(c.image, ctx.config);
                if (why !== undefined) {
                    const repository = parseImage(c.image).repository;
                    ctx.violation({
                        property,
                        found: c.image,
                        expected: `an image pinned to one build (${why})`,
                        fix: `deploy ${repository}@sha256:<digest> or ${repository}:<release tag such as 1.4.2 or a git SHA>`,
                    });
                }
            }
        }),
    ],
});
