// Platform hygiene: S3 buckets (joined with their v7 sub-resources), KMS key rotation, SNS
// encryption, CloudWatch log retention and required tags. The policies live in ./platform/, one
// file per service; this file lists them in the pack's order and re-exports their helpers.
import { GuardrailPolicy } from "./lib";
import { s3BucketSecure } from "./platform/s3";
import { kmsKeyRotation } from "./platform/kms";
import { snsEncrypted } from "./platform/sns";
import { logRetention } from "./platform/logs";
import { requiredTags } from "./platform/tags";

export type { SseRule } from "./platform/s3";
export {
    BUCKET_POLICY_TYPES,
    BUCKET_TYPES,
    LIFECYCLE_TYPES,
    LOGGING_TYPES,
    PUBLIC_ACCESS_FLAGS,
    SSE_TYPES,
    deniesInsecureTransport,
    s3BucketSecure,
} from "./platform/s3";
export { kmsKeyRotation } from "./platform/kms";
export { snsEncrypted } from "./platform/sns";
export { LOG_RETENTION_VALUES, logRetention } from "./platform/logs";
export { isTaggableAwsType, requiredTags } from "./platform/tags";

export const platformPolicies: GuardrailPolicy[] = [
    s3BucketSecure,
    kmsKeyRotation,
    snsEncrypted,
    logRetention,
    requiredTags,
];
