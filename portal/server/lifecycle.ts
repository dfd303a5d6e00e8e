// The portal's shutdown: stop accepting, let running operations finish within the timeout, record
// the rest interrupted (their runners cancelled, given a grace period), then end every stream and
// remove the saved-plans directory the portal made for itself.
import * as fs from "fs";
import * as http from "http";
import { PortalContext } from "./context";

async function raceTimeout(work: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
}

export async function shutdownPortal(
    ctx: PortalContext,
    server: http.Server,
    timeoutMs: number,
): Promise<{ finished: string[]; interrupted: string[] }> {
    const { store } = ctx;
    store.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const running = store.running();
    await raceTimeout(Promise.all(running.map((op) => op.settled)), timeoutMs);
    const interrupted = store.running();
    for (const op of interrupted) {
        store.interrupt(
            op,
            `the portal shut down after waiting ${timeoutMs} ms; the operation was cancelled`,
        );
    }
    if (interrupted.length > 0) {
        // Give cancelled runners (the CLI gets SIGINT) a moment to stop cleanly.
        await raceTimeout(
            Promise.all(interrupted.map((op) => op.settled)),
            ctx.options.abortGraceMs ?? 5000,
        );
    }
    for (const res of ctx.streams) {
        res.end();
    }
    server.closeAllConnections();
    await closed;
    if (ctx.options.plansDir === undefined) {
        // The portal made this directory itself; no operation runs any more.
        fs.rmSync(ctx.plansDir, { recursive: true, force: true });
    }
    const ids = new Set(interrupted.map((o) => o.id));
    return {
        finished: running.filter((o) => !ids.has(o.id)).map((o) => o.id),
        interrupted: [...ids],
    };
}
