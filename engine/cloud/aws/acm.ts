// ACM: certificates pending DNS validation (one CNAME record per distinct domain name) and their
// validations.
import { list, str } from "../context";
import { hexId, stableChars, stableUuid } from "../ids";
import { arn, Builder, seedOf } from "./common";

/** The CNAME record ACM asks for to validate one domain name. */
function validationOption(domainName: string) {
    const bare = domainName.replace(/^\*\./, "");
    return {
        domainName,
        resourceRecordName: `_${hexId(`acm/${domainName}/name`, 32)}.${bare}.`,
        resourceRecordType: "CNAME",
        resourceRecordValue: `_${hexId(`acm/${domainName}/value`, 32)}.${stableChars(`acm/${domainName}`, 10)}.acm-validations.aws.`,
    };
}

export const ACM: Record<string, Builder> = {
    "aws:acm/certificate:Certificate": (ctx, args, inputs) => {
        const a = arn(ctx, "acm", `certificate/${stableUuid(seedOf(args))}`);
        const domain = str(inputs.domainName) ?? "example.com";
        const names = [
            domain,
            ...list(inputs.subjectAlternativeNames).filter(
                (n): n is string => typeof n === "string",
            ),
        ];
        return {
            id: a,
            state: {
                arn: a,
                domainName: domain,
                domainValidationOptions: [...new Set(names)].map(validationOption),
                status: "PENDING_VALIDATION",
                type: "AMAZON_ISSUED",
                validationMethod: str(inputs.validationMethod) ?? "DNS",
                keyAlgorithm: str(inputs.keyAlgorithm) ?? "RSA_2048",
                notBefore: "",
                notAfter: "",
                renewalEligibility: "INELIGIBLE",
            },
        };
    },
    "aws:acm/certificateValidation:CertificateValidation": (_ctx, _args, inputs) => ({
        id: "2026-01-01 00:00:00 +0000 UTC",
        state: { certificateArn: str(inputs.certificateArn) ?? "" },
    }),
};
