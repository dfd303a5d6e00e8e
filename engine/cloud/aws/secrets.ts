// Keys and secrets: KMS keys and aliases, Secrets Manager secrets (ARN with the 6-character random
// suffix AWS appends), their versions and rotations.
import { str } from "../context";
import { stableChars, stableUuid } from "../ids";
import { arn, autoname, Builder, physicalName, seedOf } from "./common";

const KMS: Record<string, Builder> = {
    "aws:kms/key:Key": (ctx, args) => {
        const keyId = stableUuid(seedOf(args));
        return { id: keyId, state: { keyId, arn: arn(ctx, "kms", `key/${keyId}`) } };
    },
    "aws:kms/alias:Alias": (ctx, args, inputs) => {
        const name = str(inputs.name) ?? `alias/${autoname(args.name, seedOf(args), 250)}`;
        const target = str(inputs.targetKeyId) ?? "";
        const targetKeyArn = target.startsWith("arn:") ? target : arn(ctx, "kms", `key/${target}`);
        return { id: name, state: { name, arn: arn(ctx, "kms", name), targetKeyArn } };
    },
};

const SECRETS_MANAGER: Record<string, Builder> = {
    "aws:secretsmanager/secret:Secret": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 512);
        const a = arn(
            ctx,
            "secretsmanager",
            `secret:${name}-${stableChars(seedOf(args), 6, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")}`,
        );
        return { id: a, state: { name, arn: a } };
    },
    "aws:secretsmanager/secretVersion:SecretVersion": (_ctx, args, inputs) => {
        const secret = str(inputs.secretId) ?? "";
        const versionId = stableUuid(seedOf(args));
        return {
            id: `${secret}|${versionId}`,
            state: { arn: secret, versionId, versionStages: ["AWSCURRENT"] },
        };
    },
    "aws:secretsmanager/secretRotation:SecretRotation": (_ctx, _args, inputs) => ({
        id: str(inputs.secretId) ?? "",
        state: { rotationEnabled: true },
    }),
};

export const SECRETS: Record<string, Builder> = { ...KMS, ...SECRETS_MANAGER };
