// One append-only JSON-lines file with size-bounded rotation, shared by the operations journal
// (portal/server/operations.ts) and the audit journal (portal/audit/journal.ts).
import * as fs from "fs";

/**
 * Appends `line` to `file`, first rotating file -> file.1 -> ... -> file.<keep> (dropping the
 * oldest) when the line would take it past `maxBytes`. Rotation by rename keeps each write cheap.
 */
export function appendRotating(file: string, line: string, maxBytes: number, keep: number): void {
    let size = 0;
    try {
        size = fs.statSync(file).size;
    } catch {
        // No journal yet.
    }
    if (size > 0 && size + Buffer.byteLength(line) > maxBytes) {
        fs.rmSync(`${file}.${keep}`, { force: true });
        for (let i = keep - 1; i >= 1; i--) {
            if (fs.existsSync(`${file}.${i}`)) {
                fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
            }
        }
        if (keep > 0) {
            fs.renameSync(file, `${file}.1`);
        } else {
            fs.rmSync(file, { force: true });
        }
    }
    fs.appendFileSync(file, line, { mode: 0o600 });
}
