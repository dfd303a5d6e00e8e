// Programs nobody here wrote (vendored from pulumi/examples, tests/fixtures/peers/NOTICE.md), planned
// with the pack and the prod policy config: each plans, the pack is evaluated, and it finds what
// docs/plan.md ("Programs from pulumi/examples") says it finds.
import { strict as assert } from "assert";
import * as path from "path";
import { PlanResult } from "../engine";
import { closeTestPlanner, testPlan } from "./helpers/planner";

const PEERS = path.join(__dirname, "fixtures", "peers");
const PROD_POLICY = path.join(__dirname, "..", "policy", "config", "prod.json");

/** Each program's findings at the prod levels: policy name -> count. */
const EXPECTED: Record<string, Record<string, number>> = {
    "aws-ts-webserver": {
        "cost-budget": 1,
        "ebs-encrypted": 1,
        "launch-template-imdsv2": 1,
        "launch-template-monitoring": 1,
        "required-tags": 2,
        "sg-egress-defined": 1,
        "sg-rule-descriptions": 2,
    },
    "aws-ts-secrets-manager": { "required-tags": 1 },
    "aws-ts-resources": {
        "log-retention": 1,
        "required-tags": 18,
        "sg-attached": 1,
        "sg-egress-defined": 1,
        "sg-rule-descriptions": 2,
        "sns-encrypted": 2,
    },
    "aws-ts-lambda-secrets": { "required-tags": 4 },
    "aws-ts-ecr-cache": { "required-tags": 1 },
};

function counts(r: PlanResult): Record<string, number> {
    const out: Record<string, number> = {};
    for (const v of r.policy.violations) {
        out[v.policyName] = (out[v.policyName] ?? 0) + 1;
    }
    return out;
}

describe("peers: programs from pulumi/examples planned with the pack", function () {
    this.timeout(180_000);
    for (const [program, expected] of Object.entries(EXPECTED)) {
        it(`${program}: plans, the pack is evaluated, and finds what docs/plan.md lists`, async () => {
            const r = await testPlan({
                program: path.join(PEERS, program),
                policyConfigFile: PROD_POLICY,
            });
            assert.equal(r.error, undefined, r.error?.message);
            assert.equal(r.policy.evaluated, true, r.policy.error);
            assert.ok(r.resources.length > 1, "resources registered");
            assert.deepEqual(counts(r), expected);
        });
    }
});

// The file's warm planner and the processes it keeps ready go with the file.
after(() => closeTestPlanner());
