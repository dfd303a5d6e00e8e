// Audit: one JSON line per decision, scrubbed of secrets. See docs/portal-access.md.
export { auditEntry, REDACTED, scrubText, SECRET_KEY_RE, secretValuesOf } from "./entry";
export type { AuditApproval, AuditEntry, AuditInput, AuditPerson } from "./entry";
export {
    appendRotating,
    AuditJournal,
    auditSettingsFromEnv,
    AuditSettingsError,
    AuditWriteError,
    DEFAULT_AUDIT_FILES,
    DEFAULT_AUDIT_IN_MEMORY,
    DEFAULT_AUDIT_MAX_BYTES,
} from "./journal";
export type { AuditJournalOptions } from "./journal";
