// config/policyAgreement.ts mirrors some of the pack's defaults so the program can refuse, before
// planning, what the stack's mandatory policies would refuse after it. The mirror must not drift.
import { strict as assert } from "assert";
import { MIRRORED_POLICY_DEFAULTS } from "../../config/policyAgreement";
import { policies } from "../policies";

describe("config/policyAgreement mirrors the pack", () => {
    for (const [name, mirrored] of Object.entries(MIRRORED_POLICY_DEFAULTS)) {
        it(`${name}: same default level and settings as the pack's schema`, () => {
            const policy = policies.find((p) => p.name === name);
            assert.ok(policy, `the pack has no policy ${name}`);
            assert.equal(
                mirrored.enforcementLevel,
                policy.enforcementLevel,
                `${name} default level`,
            );
            for (const [setting, value] of Object.entries(mirrored)) {
                if (setting !== "enforcementLevel") {
                    assert.deepEqual(
                        policy.configSchema.properties[setting]?.default,
                        value,
                        `${name}.${setting}`,
                    );
                }
            }
        });
    }
});
