// One private copy of the project per engine operation, so nothing an operation does lands in the
// portal's checkout: `setAllConfig` writes overrides into Pulumi.<stack>.yaml, and the CLI writes the
// stack's secrets settings there when it creates a stack. Overrides therefore apply to that one
// operation; making one permanent is a commit to the stack file (via a pull request).
//
// The stack's secrets settings (encryptionsalt, secretsprovider, encryptedkey) are the exception
// that must outlive the copy: without them the next operation could not decrypt the stack's
// secrets. They are kept in the portal's state directory, never in the checkout.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";

/** Top-level entries never copied: dependencies are linked; VCS data, tests, docs and local artefacts are not run. */
const SKIP = new Set([".git", "node_modules", "coverage", "bin", ".pulumi-state", "tests", "docs"]);
/** Stack-file keys the CLI writes for a stack's secrets provider. */
export const SECRETS_SETTINGS = ["secretsprovider", "encryptedkey", "encryptionsalt"] as const;

export interface OperationWorkspace {
    /** The private project directory the engine runs in. */
    dir: string;
    /** Saves the stack's secrets settings (if the CLI wrote new ones) and removes the copy. */
    dispose(): void;
}

function readSettings(file: string): Record<string, string> {
    if (!fs.existsSync(file)) {
        return {};
    }
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown> | null;
    const out: Record<string, string> = {};
    for (const key of SECRETS_SETTINGS) {
        if (typeof doc?.[key] === "string") {
            out[key] = doc[key];
        }
    }
    return out;
}

/** Copies the project (dependencies linked, not copied) into a fresh temporary directory. */
function copyProject(workDir: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-op-"));
    for (const entry of fs.readdirSync(workDir)) {
        if (!SKIP.has(entry)) {
            fs.cpSync(path.join(workDir, entry), path.join(dir, entry), {
                recursive: true,
                filter: (src) => path.basename(src) !== "node_modules",
            });
        }
    }
    // Linked so the program and the policy pack resolve their packages as in the checkout.
    for (const sub of [".", "policy"]) {
        const modules = path.join(workDir, sub, "node_modules");
        if (fs.existsSync(modules) && fs.existsSync(path.join(dir, sub))) {
            fs.symlinkSync(modules, path.join(dir, sub, "node_modules"), "dir");
        }
    }
    return dir;
}

/**
 * A private copy of `workDir` for one operation on `stack`. Secrets settings saved by an earlier
 * operation (in `settingsDir`) are added to the copy's stack file when the checkout lacks them.
 */
export function prepareWorkspace(
    workDir: string,
    stack: string,
    settingsDir: string,
): OperationWorkspace {
    const dir = copyProject(workDir);
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    const savedFile = path.join(settingsDir, `${stack}.json`);
    const inCheckout = readSettings(path.join(workDir, `Pulumi.${stack}.yaml`));
    if (Object.keys(inCheckout).length === 0 && fs.existsSync(savedFile)) {
        const saved = JSON.parse(fs.readFileSync(savedFile, "utf8")) as Record<string, string>;
        // Top-level keys appended as JSON strings (valid YAML), leaving the file's own text as it is.
        const lines = SECRETS_SETTINGS.filter((k) => typeof saved[k] === "string").map(
            (k) => `${k}: ${JSON.stringify(saved[k])}\n`,
        );
        const text = fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : "";
        fs.writeFileSync(
            stackFile,
            `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${lines.join("")}`,
        );
    }
    return {
        dir,
        dispose() {
            try {
                const after = readSettings(stackFile);
                if (Object.keys(inCheckout).length === 0 && Object.keys(after).length > 0) {
                    fs.mkdirSync(settingsDir, { recursive: true, mode: 0o700 });
                    fs.writeFileSync(savedFile, JSON.stringify(after), { mode: 0o600 });
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}
