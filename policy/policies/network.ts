// Network guardrails: internet-open ingress on any security group, and the cross-resource rule
// that databases and caches are reachable only from security groups (never a CIDR outside the VPC).
// The policies and their CIDR and ingress-rule helpers live in ./network/; this file lists the
// policies in the pack's order and re-exports the helpers.
import { GuardrailPolicy } from "./lib";
import { sgAttached, sgNoOpenIngress, sgRuleDescriptions } from "./network/securityGroups";
import { dataStoresPrivate } from "./network/dataStoresPrivate";

// The unknown-aware reads and cross-resource lookups other policy files share live in ./lib; they
// are still exported here for importers that look for them under their old home.
export { isSet, isUnknownProp, ofTypes, references } from "./lib";
export type { Cidr } from "./network/cidr";
export { cidrWithin, isWorldCidr, parseCidr } from "./network/cidr";
export type { IngressView } from "./network/ingress";
export {
    allPorts,
    coversPort,
    ec2RuleIngress,
    inlineIngress,
    normaliseProtocol,
    vpcRuleIngress,
} from "./network/ingress";
export type { OpenIngressConfig } from "./network/securityGroups";
export {
    PROVIDER_DEFAULT_SG_DESCRIPTION,
    SG_RULE_TYPES,
    openIngressProblem,
    sgAttached,
    sgNoOpenIngress,
    sgRuleDescriptions,
    usesGroup,
} from "./network/securityGroups";
export { DATA_STORES, ENGINE_PORTS, dataStoresPrivate } from "./network/dataStoresPrivate";

export const networkPolicies: GuardrailPolicy[] = [
    sgNoOpenIngress,
    dataStoresPrivate,
    sgRuleDescriptions,
    sgAttached,
];
