// The pack's policies, in one array so tests and tools can evaluate them without the gRPC server.
// Other policy files: add `import { x } from "./file";` below and append to the array.
import { GuardrailPolicy } from "./lib";
import { albPolicies } from "./alb";
import { targetGroupPolicies } from "./targetGroup";
import { computePolicies } from "./compute";
import { scalingPolicies } from "./scaling";
import { dataPolicies } from "./data";
import { networkPolicies } from "./network";
import { platformPolicies } from "./platform";
import { cloudflarePolicies } from "./cloudflare";
import { alarmPolicies } from "./alarms";
import { kmsServicesPolicies } from "./kmsServices";
import { sgEgressPolicies } from "./sgEgress";
import { asgVersionPolicies } from "./asgVersion";
import { costPolicies } from "./cost";

export const policies: GuardrailPolicy[] = [
    ...albPolicies,
    ...targetGroupPolicies,
    ...computePolicies,
    ...scalingPolicies,
    ...dataPolicies,
    ...networkPolicies,
    ...platformPolicies,
    ...cloudflarePolicies,
    ...alarmPolicies,
    ...kmsServicesPolicies,
    ...sgEgressPolicies,
    ...asgVersionPolicies,
    ...costPolicies,
];
