// config/policyAgreement.ts applies some of the pack's defaults so the program can refuse, before
// planning, what the stack's mandatory policies would refuse after it. Both read one table
// (policy/policies/defaults.ts); this checks the pack's schemas really report its values.
import { strict as assert } from "assert";
import { SHARED_POLICY_DEFAULTS } from "../policies/defaults";
import { policies } from "../policies";

describe("the shared policy defaults are the pack's", () => {
    for (const [name, shared] of Object.entries(SHARED_POLICY_DEFAULTS)) {
        it(`${name}: same default level and settings as the pack's schema`, () => {
            const policy = policies.find((p) => p.name === name);
            assert.ok(policy, `the pack has no policy ${name}`);
            assert.equal(shared.enforcementLevel, policy.enforcementLevel, `${name} default level`);
            for (const [setting, value] of Object.entries(shared)) {
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
