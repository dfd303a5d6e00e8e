// The stack-config layer's choice of lifecycle settings. Components take these as explicit args
// (with protective defaults); here one stack setting, `production`, decides them all, so a
// stack's lifecycle is read in one place (docs/architecture.md, "Args and defaults").
import type { Lifecycle } from "../components/dataRules";

export interface StackLifecycle {
    /** DataTier `lifecycle`: protect, final snapshots, backups after deletion, apply-immediately, secret recovery. */
    data: Lifecycle;
    /** LoadBalancer `retainAccessLogs`: the log bucket outlives the stack and is not emptied on destroy. */
    retainAccessLogs: boolean;
    /** ScalingService `retainLogs`: the services' log groups outlive the stack. */
    retainLogs: boolean;
}

/** Production keeps and protects state; any other stack lets it go so it can be torn down cleanly. */
export function stackLifecycle(production: boolean): StackLifecycle {
    return {
        data: {
            protect: production,
            skipFinalSnapshot: !production,
            deleteAutomatedBackups: !production,
            applyImmediately: !production,
            secretRecoveryWindowDays: production ? 30 : 0,
        },
        retainAccessLogs: production,
        retainLogs: production,
    };
}
