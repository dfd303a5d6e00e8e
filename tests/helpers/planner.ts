// One warm planner per test file (engine/warm.ts): its plans run in processes started ahead, and
// give what a cold plan gives (tests/warmPlan.test.ts checks that). A file that plans with it
// closes it in its root `after` hook (closeTestPlanner), so no process outlives the file.
import { PlanOptions, PlanResult } from "../../engine/run";
import { createWarmPlanner, WarmPlanner } from "../../engine/warm";

let planner: WarmPlanner | undefined;

export function testPlan(options: PlanOptions = {}): Promise<PlanResult> {
    if (!planner) {
        planner = createWarmPlanner();
        planner.prepare(options);
    }
    return planner.plan(options);
}

export async function closeTestPlanner(): Promise<void> {
    const p = planner;
    planner = undefined;
    await p?.close();
}
