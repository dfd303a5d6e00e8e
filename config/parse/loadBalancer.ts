// The ALB (listener, stickiness, access logs, origin prefix lists) and the WAF in front of it.
import { LoadBalancerConfig, WafConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

export function readLoadBalancer(r: Reader, v: unknown, production: boolean): LoadBalancerConfig {
    const p = "loadBalancer";
    const o = r.object(p, v, KNOWN_FIELDS.loadBalancer);
    const d = DEFAULTS.loadBalancer;
    const st = r.object(`${p}.stickiness`, o.stickiness, KNOWN_FIELDS.stickiness);
    const al = r.object(`${p}.accessLogs`, o.accessLogs, KNOWN_FIELDS.accessLogs);
    const pl = r.object(
        `${p}.originPrefixListMaxEntries`,
        o.originPrefixListMaxEntries,
        KNOWN_FIELDS.originPrefixListMaxEntries,
    );
    const lb: LoadBalancerConfig = {
        algorithm: r.str(
            `${p}.algorithm`,
            o.algorithm,
            d.algorithm,
        ) as LoadBalancerConfig["algorithm"],
        stickiness: {
            enabled: r.bool(`${p}.stickiness.enabled`, st.enabled, d.stickiness.enabled),
            duration: r.num(`${p}.stickiness.duration`, st.duration, d.stickiness.duration),
        },
        deregistrationDelay: r.num(
            `${p}.deregistrationDelay`,
            o.deregistrationDelay,
            d.deregistrationDelay,
        ),
        idleTimeout: r.num(`${p}.idleTimeout`, o.idleTimeout, d.idleTimeout),
        deletionProtection: r.bool(
            `${p}.deletionProtection`,
            o.deletionProtection,
            d.deletionProtection(production),
        ),
        sslPolicy: r.str(`${p}.sslPolicy`, o.sslPolicy, d.sslPolicy),
        ingressCidrs: r.strArray(`${p}.ingressCidrs`, o.ingressCidrs, d.ingressCidrs),
        ingressIpv6Cidrs: r.strArray(
            `${p}.ingressIpv6Cidrs`,
            o.ingressIpv6Cidrs,
            d.ingressIpv6Cidrs,
        ),
        accessLogs: {
            enabled: r.bool(`${p}.accessLogs.enabled`, al.enabled, d.accessLogs.enabled),
            expirationDays: r.num(
                `${p}.accessLogs.expirationDays`,
                al.expirationDays,
                d.accessLogs.expirationDays,
            ),
        },
        originPrefixListMaxEntries: {
            ipv4: r.num(
                `${p}.originPrefixListMaxEntries.ipv4`,
                pl.ipv4,
                d.originPrefixListMaxEntries.ipv4,
            ),
            ipv6: r.num(
                `${p}.originPrefixListMaxEntries.ipv6`,
                pl.ipv6,
                d.originPrefixListMaxEntries.ipv6,
            ),
        },
    };
    const arn = r.optStr(`${p}.certificateArn`, o.certificateArn);
    if (arn !== undefined && arn !== "") {
        lb.certificateArn = arn;
    }
    return lb;
}

export function readWaf(r: Reader, v: unknown): WafConfig {
    const o = r.object("waf", v, KNOWN_FIELDS.waf);
    const d = DEFAULTS.waf;
    return {
        enabled: r.bool("waf.enabled", o.enabled, d.enabled),
        rateLimit: r.num("waf.rateLimit", o.rateLimit, d.rateLimit),
        rateWindowSeconds: r.num("waf.rateWindowSeconds", o.rateWindowSeconds, d.rateWindowSeconds),
        managedRules: r.bool("waf.managedRules", o.managedRules, d.managedRules),
    };
}
