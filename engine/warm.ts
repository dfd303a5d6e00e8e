// Warm plans, for wherever plans repeat (the portal, --watch, the test suite): a planner that keeps
// a program host and an analyzer per pack and stack started ahead (./warmPool). A warm plan runs
// the same cmd/run and run-policy-pack, with the same arguments and environment, as a cold one:
// only the waiting for node and the SDKs to load moves out of the plan.
import { PlanOptions, PlanResult } from "./planTypes";
import { resolveProgram } from "./program";
import { planStack } from "./run";
import { WarmPool } from "./warmPool";

export interface WarmPlanner {
    /** Plan as planStack does, in processes started ahead where the planner has them. */
    plan(options?: PlanOptions): Promise<PlanResult>;
    /** Start a program host for this plan's program now, before its first plan. */
    prepare(options?: PlanOptions): void;
    /** Resolves once every process started ahead has loaded. */
    settled(): Promise<void>;
    /** Stop the processes started ahead (a pack or the SDKs changed on disk); plans start them again. */
    drop(): void;
    /** Stop everything; plans after this start cold. */
    close(): Promise<void>;
}

export function createWarmPlanner(): WarmPlanner {
    const pool = new WarmPool();
    return {
        async plan(options = {}) {
            try {
                return await planStack(options, pool);
            } finally {
                pool.refill();
            }
        },
        prepare(options = {}) {
            try {
                pool.wantHost(resolveProgram(options.program).cwd);
                pool.refill();
            } catch {
                // A bad --program is the plan's own error.
            }
        },
        settled: () => pool.settled(),
        drop: () => pool.drop(),
        close: () => pool.close(),
    };
}
