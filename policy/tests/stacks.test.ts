// The project's own stacks under the mock engine, judged with their --policy-pack-config files:
// no mandatory violation. Advisory findings are allowed (and listed on failure).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { EngineRun } from "../../scripts/plan/engine";
import { runStack } from "../../tests/helpers/stack";
import { EvalResource, EvaluationResult, PackConfig, evaluatePolicies, fromRegistered } from "../evaluate";
import { policies } from "../policies";

function packConfig(stack: string): PackConfig {
    return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "config", `${stack}.json`), "utf8")) as PackConfig;
}

function evaluate(resources: EvalResource[], stack: string): Promise<EvaluationResult> {
    return evaluatePolicies({ resources, policies, config: packConfig(stack), packEnforcementLevel: "mandatory" });
}

function describeViolations(r: EvaluationResult): string {
    return r.violations.map((v) => `[${v.enforcementLevel}] ${v.policyName}: ${v.message}`).join("\n");
}

for (const stack of ["dev", "prod"]) {
    describe(`policy pack on the ${stack} stack`, () => {
        let run: EngineRun;
        let resources: EvalResource[];
        let result: EvaluationResult;

        before(async () => {
            run = await runStack(stack);
            resources = run.resources.map(fromRegistered);
            result = await evaluate(resources, stack);
        });

        it("has no mandatory violation with policy/config/" + stack + ".json", () => {
            const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory");
            assert.deepEqual(mandatory.map((v) => `${v.policyName}: ${v.message}`), [], describeViolations(result));
        });

        it("judges the stack for real: dev's relaxed settings are advisory findings, prod has none of them", () => {
            const levels = (policy: string) => result.violations.filter((v) => v.policyName === policy).map((v) => v.enforcementLevel);
            // dev turns deletion protection and Multi-AZ off, which prod.json would block.
            for (const policy of ["alb-deletion-protection", "rds-multi-az"]) {
                assert.deepEqual(levels(policy), stack === "dev" ? ["advisory"] : [], policy);
            }
        });

        it("the config file names only policies of the pack, with valid settings", () => {
            const names = new Set(policies.map((p) => p.name));
            assert.deepEqual(Object.keys(packConfig(stack)).filter((k) => !names.has(k)), []);
        });

        it("the stack-level checks see the stack: removing its alarms or its TLS parameter is caught", async () => {
            const noAlarms = await evaluate(resources.filter((r) => r.type !== "aws:cloudwatch/metricAlarm:MetricAlarm"), stack);
            const alarmFindings = noAlarms.violations.filter((v) => v.policyName === "alarm-coverage");
            assert.ok(alarmFindings.some((v) => v.type === "aws:rds/instance:Instance"), describeViolations(noAlarms));
            assert.ok(alarmFindings.some((v) => v.type === "aws:lb/loadBalancer:LoadBalancer"));
            const noTls = resources.map((r) =>
                r.type === "aws:rds/parameterGroup:ParameterGroup"
                    ? { ...r, props: { ...r.props, parameters: (r.props.parameters as Array<{ name: string }>).filter((p) => p.name !== "rds.force_ssl") } }
                    : r,
            );
            const tls = await evaluate(noTls, stack);
            assert.equal(tls.violations.filter((v) => v.policyName === "rds-force-tls" && v.enforcementLevel === "mandatory").length, 1);
        });
    });
}
