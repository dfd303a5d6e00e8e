// Facts the load balancer policies share: the ELB TLS security policies (allow-lists, and why the
// others are weak), the type tokens under aws:lb/* and their legacy aws:alb/* aliases, and the
// load balancer type's default.

/** ELB security policies that negotiate TLS 1.2 or newer only (AWS docs, ALB security policies). */
export const TLS12_SECURITY_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    // FIPS (2023-04)
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    // Hybrid post-quantum (2025-09)
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/**
 * TLS 1.2+ policies whose TLS 1.2 ciphers all use ECDHE (forward secrecy) and none is a SHA-1 CBC
 * suite: the default allow-list of alb-https-tls12 (CKV2_AWS_74's "strong ciphers", stricter than
 * its deny-list). They still include ECDHE CBC suites with SHA-256/384 (e.g. ECDHE-RSA-AES128-SHA256),
 * except the AEAD-only ones below; TLS13-1-2-2021-06 (AWS's recommended policy, Security Hub ELB.17) is one.
 */
export const STRONG_CIPHER_SECURITY_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/** Strong policies with AEAD ciphers only (GCM / ChaCha20, no CBC at all): the opt-in narrower list. */
export const AEAD_ONLY_SECURITY_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/** Why a known policy is not strong (used to explain a rejection; the allow-list decides). */
const WEAK_POLICY_REASONS: Record<string, string> = {
    "ELBSecurityPolicy-2016-08": "accepts TLS 1.0 and 1.1",
    "ELBSecurityPolicy-2015-05": "accepts TLS 1.0 and 1.1",
    "ELBSecurityPolicy-TLS-1-0-2015-04": "accepts TLS 1.0 and 1.1 and offers DES-CBC3-SHA",
    "ELBSecurityPolicy-TLS-1-1-2017-01": "accepts TLS 1.1",
    "ELBSecurityPolicy-FS-2018-06": "accepts TLS 1.0 and 1.1",
    "ELBSecurityPolicy-FS-1-1-2019-08": "accepts TLS 1.1",
    "ELBSecurityPolicy-TLS13-1-0-2021-06": "accepts TLS 1.0 and 1.1",
    "ELBSecurityPolicy-TLS13-1-1-2021-06": "accepts TLS 1.1",
    "ELBSecurityPolicy-TLS-1-2-2017-01":
        "is TLS 1.2 but offers RSA key exchange without forward secrecy (AES128-GCM-SHA256, AES256-SHA256, ...)",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06":
        "is TLS 1.2 but offers RSA key exchange without forward secrecy and SHA-1 CBC ciphers (AES128-SHA, ...)",
    "ELBSecurityPolicy-FS-1-2-2019-08":
        "is TLS 1.2 but offers SHA-1 CBC ciphers (ECDHE-RSA-AES128-SHA, ...)",
};

/** The reason a policy outside the allow-list is weak, when we know it. */
export function weakPolicyReason(policy: string): string | undefined {
    if (WEAK_POLICY_REASONS[policy]) {
        return WEAK_POLICY_REASONS[policy];
    }
    if (/-Ext\d?-/.test(policy) && TLS12_SECURITY_POLICIES.includes(policy)) {
        return "is TLS 1.2+ but its extended (Ext) cipher set adds legacy ciphers (RSA key exchange without forward secrecy and/or SHA-1 CBC)";
    }
    return undefined;
}

/** What an HTTPS/TLS listener gets from the API (and the provider) when sslPolicy is not set: allows TLS 1.0. */
export const AWS_DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08";

export const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
export const RULE_TYPES = ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"];
/** Load balancers under both type tokens (aws:alb/* are the legacy aliases). */
export const LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
export const TG_TYPES = ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"];
export const WAF_ASSOCIATION_TYPES = [
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafregional/webAclAssociation:WebAclAssociation",
];

/** AWS: loadBalancerType defaults to "application". */
export function isApplicationLb(props: Record<string, unknown>): boolean {
    const t = props["loadBalancerType"];
    return t === undefined || t === "application";
}
