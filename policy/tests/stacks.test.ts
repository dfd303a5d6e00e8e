// The project's own stacks, run under the mock engine, pass the pack with their per-stack config.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runStack } from "../../tests/helpers/stack";
import { PackConfig, evaluatePolicies, fromRegistered } from "../evaluate";
import { policies } from "../policies";
import { albPolicies } from "../policies/alb";
import { computePolicies } from "../policies/compute";
import { scalingPolicies } from "../policies/scaling";
import { targetGroupPolicies } from "../policies/targetGroup";

// Load balancing, compute and scaling guardrails. Policies of other areas assert their own stacks
// verdicts; to judge the whole pack here, drop `only`.
const JUDGED = [...albPolicies, ...targetGroupPolicies, ...computePolicies, ...scalingPolicies].map((p) => p.name);

for (const stack of ["dev", "prod"]) {
    describe(`policy pack on the ${stack} stack`, () => {
        it(`produces no mandatory violation with policy/config/${stack}.json`, async () => {
            const run = await runStack(stack);
            const config = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "config", `${stack}.json`), "utf8")) as PackConfig;
            const r = await evaluatePolicies({ resources: run.resources.map(fromRegistered), policies, config, only: JUDGED });
            const mandatory = r.violations.filter((v) => v.enforcementLevel === "mandatory");
            assert.deepEqual(mandatory.map((v) => `${v.policyName}: ${v.message}`), []);
            // The pack really judged the stack: dev turns deletion protection off, which prod.json would block.
            const deletion = r.violations.filter((v) => v.policyName === "alb-deletion-protection");
            assert.deepEqual(deletion.map((v) => v.enforcementLevel), stack === "dev" ? ["advisory"] : []);
        });
    });
}
