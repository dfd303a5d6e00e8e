// --out: refuse an unwritable path before spending a plan on it, and write the failure document
// of a plan that could not run.
import * as fs from "fs";
import * as path from "path";

/** Why `file` cannot be written (a message naming --out and the fix), or undefined when it can. */
export function checkWritable(file: string): string | undefined {
    const target = path.resolve(file);
    const dir = path.dirname(target);
    let stat: fs.Stats | undefined;
    try {
        stat = fs.statSync(target);
    } catch {
        stat = undefined;
    }
    if (stat?.isDirectory()) {
        return `--out ${file}: is a directory. Fix: give a file path, e.g. --out ${path.join(file, "plan.out")}`;
    }
    try {
        if (!fs.statSync(dir).isDirectory()) {
            return `--out ${file}: ${dir} is not a directory. Fix: write under an existing directory`;
        }
    } catch {
        return `--out ${file}: directory ${dir} does not exist. Fix: create it first (mkdir -p ${dir})`;
    }
    try {
        fs.accessSync(stat ? target : dir, fs.constants.W_OK);
    } catch {
        return `--out ${file}: not writable (permission denied). Fix: pick a writable path`;
    }
    return undefined;
}

/** Write a failure document to --out (or stdout); a write error here must not hide the original one. */
export function writeFailureDocument(
    text: string,
    out: string | undefined,
    write: (text: string) => void,
): void {
    try {
        if (out) {
            fs.writeFileSync(out, text);
        } else {
            write(text);
        }
    } catch {
        // The caller reports the plan's own error next.
    }
}
