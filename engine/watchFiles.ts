// The file watching of `npm run plan -- --watch` (./watch): directories watched one by one, so
// dependencies, the repository and the plan's own output are never walked, and a burst's changes
// settled into the files that really changed.
import * as fs from "fs";
import * as path from "path";

/** Never watched: dependencies (the SDKs a host loads), the repository, and the plan's caches. */
const IGNORED_NAMES = new Set(["node_modules", ".git"]);

/** What a plan reads from disk, and so what the watch watches. */
export interface WatchTarget {
    /** A directory (watched with everything under it) or a single file. */
    path: string;
    kind: "tree" | "file";
    /** A policy pack's directory: analyzers started before a change in it run the old code. */
    pack?: boolean;
}

/** Scratch files editors write beside the file being edited (vim, emacs): not a change. */
function editorScratch(name: string): boolean {
    return /(\.sw[a-p]|\.swx|~|\.tmp)$|^\.#|^#.*#$|^4913$/.test(name);
}

interface WatchedDir {
    watcher: fs.FSWatcher;
    /** Every entry counts (a tree), or only these names (single files watched). */
    all: boolean;
    names: Set<string>;
}

/**
 * One fs.watch per directory, without `recursive`: Node 20's recursive watch on Linux walks the
 * whole tree and watches every file in it, node_modules included (40 000 watches and 2 s to start
 * at this repo's root), and cannot be told to skip a directory. A file is watched through its
 * directory, so an editor that saves by replacing the file is still seen.
 */
export class FileWatch {
    private dirs = new Map<string, WatchedDir>();
    /**
     * The watched files and directories that exist, as of the last look: a change to one not in it
     * that is gone again was a scratch file.
     */
    private known = new Set<string>();
    private closed = false;

    constructor(
        private readonly ignored: string[],
        private readonly onChange: (file: string) => void,
    ) {}

    add(target: WatchTarget): void {
        if (target.kind === "tree") {
            this.addTree(target.path);
        } else if (this.watchDir(path.dirname(target.path), path.basename(target.path))) {
            this.look(target.path);
        }
    }

    /**
     * The changes that are real now that a burst is over: files that exist, and files that existed
     * and are gone. A file that came and went within the burst (sed -i's, an atomic save's
     * temporary file) is not one.
     */
    settle(files: string[]): string[] {
        return files.filter((file) => {
            const was = this.known.has(file);
            return this.look(file) || was;
        });
    }

    /** Whether the file exists now, noted for the next settle. */
    private look(file: string): boolean {
        const exists = fs.existsSync(file);
        if (exists) {
            this.known.add(file);
        } else {
            this.known.delete(file);
        }
        return exists;
    }

    close(): void {
        this.closed = true;
        this.dirs.forEach((d) => d.watcher.close());
        this.dirs.clear();
    }

    private isIgnored(file: string): boolean {
        const name = path.basename(file);
        return (
            IGNORED_NAMES.has(name) ||
            editorScratch(name) ||
            this.ignored.some((d) => file === d || file.startsWith(`${d}${path.sep}`))
        );
    }

    private addTree(dir: string): void {
        if (this.isIgnored(dir) || !this.watchDir(dir)) {
            return;
        }
        this.known.add(dir);
        for (const entry of readDir(dir)) {
            const file = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                this.addTree(file);
            } else {
                this.known.add(file);
            }
        }
    }

    /** Watch a directory: all of it (`name` undefined) or one more of its files. */
    private watchDir(dir: string, name?: string): boolean {
        const known = this.dirs.get(dir);
        if (known) {
            known.all ||= name === undefined;
            if (name !== undefined) {
                known.names.add(name);
            }
            return true;
        }
        let watcher: fs.FSWatcher;
        try {
            watcher = fs.watch(dir, (_event, file) => this.event(dir, file));
        } catch {
            // Gone already (a directory removed while the tree was walked): nothing to watch.
            return false;
        }
        // A directory removed while watched: its watcher ends; a new one is added if it comes back.
        watcher.on("error", () => this.forget(dir));
        this.dirs.set(dir, {
            watcher,
            all: name === undefined,
            names: new Set(name ? [name] : []),
        });
        return true;
    }

    private event(dir: string, name: string | Buffer | null): void {
        const watched = this.dirs.get(dir);
        if (this.closed || !watched || name === null) {
            return;
        }
        const file = path.join(dir, name.toString());
        if ((!watched.all && !watched.names.has(path.basename(file))) || this.isIgnored(file)) {
            return;
        }
        if (watched.all && isDirectory(file)) {
            // A new directory in a tree (a checkout, `mkdir`): watch it too.
            this.addTree(file);
        } else if (!fs.existsSync(file) && this.dirs.has(file)) {
            this.forget(file);
        }
        this.onChange(file);
    }

    private forget(dir: string): void {
        for (const [known, d] of this.dirs) {
            if (known === dir || known.startsWith(`${dir}${path.sep}`)) {
                d.watcher.close();
                this.dirs.delete(known);
            }
        }
    }
}

function readDir(dir: string): fs.Dirent[] {
    try {
        return fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return [];
    }
}

function isDirectory(file: string): boolean {
    try {
        return fs.statSync(file).isDirectory();
    } catch {
        return false;
    }
}
