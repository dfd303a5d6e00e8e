// The benchmark's two pairs for the plan's speed goals, each measured inside one child process:
//  - a warm plan (createWarmPlanner, after one plan of the same stack has started its processes)
//    against the SDK-load baseline;
//  - a cold plan against its floor: the same program alone under @pulumi/pulumi/cmd/run, against
//    the plan's monitor and mock cloud, with no policy pack and none of the plan's own work.
import { createMockCloud } from "../../engine/mockCloud";
import { codeCachePreload, runProgramProcess } from "../../engine/engine";
import { projectInfo, readStackFile, resolveProgram } from "../../engine/program";
import { ROOT } from "../../engine/planTypes";
import { configRegion, effectiveConfig } from "../../engine/stackConfig";
import { createWarmPlanner } from "../../engine/warm";

export interface Timed {
    ms: number;
    resources: number;
    error?: string;
}

const since = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

/** One warm plan of `stack`: the processes a first plan of it left ready, then the plan timed. */
export async function warmPlan(stack: string): Promise<Timed & { warm?: string }> {
    const planner = createWarmPlanner();
    try {
        planner.prepare({ stack });
        await planner.plan({ stack });
        await planner.settled();
        const started = process.hrtime.bigint();
        const r = await planner.plan({ stack });
        const ms = since(started);
        return {
            ms,
            resources: r.resources.length,
            warm: JSON.stringify(r.timings.warm),
            ...(r.error ? { error: r.error.message.split("\n")[0] } : {}),
        };
    } finally {
        await planner.close();
    }
}

/** The program alone, as the plan runs it, without a pack: the floor of any faithful plan. */
export async function programAlone(stack: string): Promise<Timed> {
    const { entry, cwd } = resolveProgram(undefined);
    const { file } = readStackFile({ stack }, stack, ROOT);
    const { config, secretKeys } = effectiveConfig(file);
    const started = process.hrtime.bigint();
    const run = await runProgramProcess({
        program: entry,
        cwd,
        project: projectInfo(entry).project,
        stack,
        config,
        secretKeys,
        cloud: createMockCloud({ region: configRegion(config), packageDirs: [cwd, ROOT] }),
        captureConsole: true,
        timeoutMs: 120_000,
        nodeArgs: codeCachePreload(ROOT, "program"),
    });
    return { ms: since(started), resources: run.resources.length };
}
