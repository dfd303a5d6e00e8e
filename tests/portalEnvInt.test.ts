// The portal's whole-number settings (portal/envInt.ts), through each reader that uses it: the
// server's (port, caps), the audit journal's and the approvals' TTL. A careless value is refused
// naming the variable, its range and its default; it never becomes a number Number() would make.
import { strict as assert } from "assert";
import { approvalSettingsFromEnv, ApprovalSettingsError } from "../portal/approvals/store";
import { auditSettingsFromEnv, AuditSettingsError } from "../portal/audit/journal";
import { intFromEnv } from "../portal/envInt";
import { settingsFromEnv, StartupError } from "../portal/server/main";

const SERVER_ENV = {
    PORTAL_AUTH: "oidc",
    PORTAL_OIDC_ISSUER: "https://idp.example.com/realms/platform",
    PORTAL_OIDC_AUDIENCE: "portal",
    PULUMI_CONFIG_PASSPHRASE: "p",
};

const PORT = { default: 8787, min: 0, max: 65535 };
const refuse = (m: string) => new RangeError(m);

describe("portal settings: whole numbers from the environment (portal/envInt.ts)", () => {
    it("reads decimal digits with surrounding spaces; unset or blank is the default", () => {
        assert.equal(intFromEnv({ P: "8080" }, "P", PORT, refuse), 8080);
        assert.equal(intFromEnv({ P: " 8080\n" }, "P", PORT, refuse), 8080);
        assert.equal(intFromEnv({}, "P", PORT, refuse), 8787);
        assert.equal(intFromEnv({ P: "   " }, "P", PORT, refuse), 8787, "blank is not port 0");
        assert.equal(intFromEnv({ P: "-5" }, "P", { default: 0, min: -10, max: 10 }, refuse), -5);
    });

    it("refuses what Number() would quietly turn into a number, and what is out of range", () => {
        for (const text of ["0x1F90", "8e3", "80.0", "1_000", "+80", "80a", "Infinity", "65536"]) {
            assert.throws(
                () => intFromEnv({ P: text }, "P", PORT, refuse),
                (e: unknown) =>
                    e instanceof RangeError &&
                    e.message ===
                        `P must be an integer from 0 to 65535 (got ${JSON.stringify(text)}; default 8787)`,
                text,
            );
        }
        assert.throws(
            () =>
                intFromEnv({ P: "99999999999999999999" }, "P", { ...PORT, max: Infinity }, refuse),
            /P must be an integer/,
            "beyond what a double holds exactly",
        );
    });

    it("each reader refuses with its own error class and names the unit where there is one", () => {
        assert.throws(
            () => settingsFromEnv({ ...SERVER_ENV, PORTAL_PORT: "0x1F90" }),
            (e: unknown) =>
                e instanceof StartupError &&
                /PORTAL_PORT must be an integer from 0 to 65535/.test(e.message),
        );
        assert.equal(settingsFromEnv({ ...SERVER_ENV, PORTAL_PORT: " " }).port, 8787);
        assert.throws(
            () => auditSettingsFromEnv({ PORTAL_AUDIT_MAX_BYTES: "1e6" }, "/d"),
            (e: unknown) =>
                e instanceof AuditSettingsError && /PORTAL_AUDIT_MAX_BYTES/.test(e.message),
        );
        assert.throws(
            () => approvalSettingsFromEnv({ PORTAL_APPROVAL_TTL_HOURS: "169" }, "/d"),
            (e: unknown) =>
                e instanceof ApprovalSettingsError &&
                e.message ===
                    'PORTAL_APPROVAL_TTL_HOURS must be a whole number of hours from 1 to 168 (got "169"; default 24)',
        );
        assert.equal(approvalSettingsFromEnv({}, "/d").maxAgeMs, 24 * 3600000);
    });
});
