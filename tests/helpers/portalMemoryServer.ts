// Child process of the portal memory test: a real portal (real HTTP server, real OperationStore,
// default caps unless PORTAL_TEST_LIMITS overrides them; identity, access and audit as in production) whose plan runner emits EVENTS_PER_OPERATION
// engine-like step events. The parent drives it over HTTP and reads this process's RSS from /proc.
import * as path from "path";
import { createAutomation, OperationResult, PortalEvent } from "../../portal/automation";
import { RetentionLimits } from "../../portal/server/operations";
import { createPortal } from "../../portal/server/server";
import { ADMIN_POLICY, machineClient, testAuthenticator } from "./portalPeople";
import { ROOT } from "./stack";

const events = Number(process.env.EVENTS_PER_OPERATION ?? 5000);
const limits = JSON.parse(process.env.PORTAL_TEST_LIMITS ?? "{}") as Partial<RetentionLimits>;
// The parent makes this directory and removes it once this process has been stopped.
const stateDir = process.env.PORTAL_TEST_STATE_DIR ?? "";
if (!stateDir) {
    throw new Error("PORTAL_TEST_STATE_DIR must name the directory for the server's state");
}

async function runner(
    stack: string,
    _body: unknown,
    ctx: { onEvent: (e: PortalEvent) => void },
): Promise<OperationResult> {
    for (let i = 0; i < events; i++) {
        ctx.onEvent({
            type: "step",
            phase: "pre",
            op: "create",
            urn: `urn:pulumi:${stack}::web-platform::aws:ec2/subnet:Subnet::web-platform-${stack}-subnet-${i}`,
            resourceType: "aws:ec2/subnet:Subnet",
            planning: true,
        });
        if (i % 500 === 0) {
            // Yield like a real engine stream does, so SSE and HTTP keep being served.
            await new Promise((resolve) => setImmediate(resolve));
        }
    }
    return {
        ok: true,
        operation: "plan",
        stack,
        summary: { create: events },
        outputs: {},
        violations: [],
        durationMs: 1,
    };
}

const portal = createPortal({
    // The parent authenticates as this machine client (its token in PORTAL_TEST_TOKEN).
    authenticator: testAuthenticator({
        machineClients: [
            machineClient("memory-test", process.env.PORTAL_TEST_TOKEN ?? "", ["portal-admins"]),
        ],
    }),
    access: ADMIN_POLICY,
    webDir: false,
    automation: createAutomation({
        workDir: ROOT,
        env: { PULUMI_CONFIG_PASSPHRASE: "memory-test" },
        stateDir,
    }),
    runners: { plan: runner as never },
    journalFile: path.join(stateDir, "operations.jsonl"),
    plansDir: path.join(stateDir, "plans"),
    limits,
});
void portal.listen(0, "127.0.0.1").then((a) => process.stdout.write(`${a.port}\n`));
