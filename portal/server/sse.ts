// An operation's events over Server-Sent Events: the events kept so far (after Last-Event-ID, or
// after the point a stream ticket names), then live ones until the operation is done, with
// keep-alive comments in between.
import * as http from "http";
import { PortalContext } from "./context";
import { Operation, StoredEvent } from "./operations";

export function streamEvents(
    ctx: PortalContext,
    op: Operation,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    resumeAfter = 0,
): void {
    const after = Math.max(Number(req.headers["last-event-id"] ?? 0) || 0, resumeAfter);
    res.writeHead(200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    });
    const write = (e: StoredEvent) => {
        res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${e.json}\n\n`);
    };
    res.write(": replaying events so far, then live\n\n");
    // Replay and subscribe in the same tick: nothing published in between is lost or doubled.
    for (const e of op.events) {
        if (e.seq > after) {
            write(e);
        }
    }
    if (op.done) {
        res.end();
        return;
    }
    ctx.streams.add(res);
    const heartbeat = setInterval(
        () => res.write(": keep-alive\n\n"),
        ctx.options.heartbeatMs ?? 15000,
    );
    const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
        ctx.streams.delete(res);
    };
    const unsubscribe = op.subscribe((e) => {
        write(e);
        if (e.type === "done") {
            stop();
            res.end();
        }
    });
    res.on("close", stop);
}
