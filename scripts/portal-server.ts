// `npm run portal`: starts the portal server (portal/server/main.ts; settings in docs/portal.md).
import { startPortal } from "../portal/server/main";

startPortal().catch((e: unknown) => {
    process.stderr.write(`portal: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
});
