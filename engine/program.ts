// What a plan reads before anything runs: the stack's name, the program and its Pulumi project,
// the stack config document, and any file a flag names (a missing one is the flag's error).
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { parseStackConfig, StackConfigFile } from "./stackConfig";
import { PlanInputError, PlanOptions, ROOT } from "./planTypes";

/** A file a flag names; a missing or unreadable one is that flag's PlanInputError. */
export function readText(file: string, flag: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PlanInputError(
            `${flag} ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
            flag,
        );
    }
}

/** The stack's name: given, else from the config file's name (Pulumi.<stack>.yaml), else dev. */
export function stackName(options: PlanOptions): string {
    const fromFile = options.configFile
        ? /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(options.configFile))?.[1]
        : undefined;
    const stack = options.stack ?? fromFile ?? "dev";
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
        throw new PlanInputError(
            `--stack ${JSON.stringify(stack)}: use letters, digits, "-", "_" or "."`,
            "--stack",
        );
    }
    return stack;
}

/** Project name and stack tags from the Pulumi.yaml beside the program (or the repo's). */
export function projectInfo(programFile: string): {
    project: string;
    tags: Record<string, string>;
} {
    let dir = path.dirname(programFile);
    for (;;) {
        const file = path.join(dir, "Pulumi.yaml");
        if (fs.existsSync(file)) {
            const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as {
                name?: string;
                config?: Record<string, unknown>;
            };
            const tagsEntry = doc.config?.["pulumi:tags"] as
                { value?: Record<string, string> } | undefined;
            return { project: doc.name ?? "web-platform", tags: { ...(tagsEntry?.value ?? {}) } };
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            return { project: "web-platform", tags: {} };
        }
        dir = parent;
    }
}

/** The program's entry and project directory: `--program DIR` (with Pulumi.yaml) or an entry file. */
export function resolveProgram(option: string | undefined): {
    entry: string;
    cwd: string;
    program: string;
} {
    const program = path.resolve(option ?? path.join(ROOT, "index.ts"));
    if (!fs.existsSync(program)) {
        throw new PlanInputError(`--program ${program}: no such file`, "--program");
    }
    if (fs.statSync(program).isDirectory()) {
        const file = path.join(program, "Pulumi.yaml");
        if (!fs.existsSync(file)) {
            throw new PlanInputError(
                `--program ${program}: no Pulumi.yaml in this directory (give a Pulumi project directory or a program file)`,
                "--program",
            );
        }
        const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { main?: string };
        return { entry: doc.main ?? ".", cwd: program, program };
    }
    return {
        entry: program,
        cwd: path.dirname(projectFile(program) ?? path.join(ROOT, "Pulumi.yaml")),
        program,
    };
}

/** The nearest Pulumi.yaml at or above a program file's directory. */
export function projectFile(programFile: string): string | undefined {
    for (let dir = path.dirname(programFile); ; dir = path.dirname(dir)) {
        const file = path.join(dir, "Pulumi.yaml");
        if (fs.existsSync(file)) {
            return file;
        }
        if (path.dirname(dir) === dir) {
            return undefined;
        }
    }
}

/**
 * The stack config document: `configText`, else `configFile`, else Pulumi.<stack>.yaml in the
 * program's project directory (a program directory) or the repo root (a program file).
 */
export function readStackFile(
    options: PlanOptions,
    stack: string,
    configDir: string,
): { configFile?: string; file: StackConfigFile } {
    const configFile =
        options.configText !== undefined
            ? undefined
            : path.resolve(options.configFile ?? path.join(configDir, `Pulumi.${stack}.yaml`));
    const text = options.configText ?? readText(configFile!, "--config");
    try {
        return { configFile, file: parseStackConfig(text, configFile ?? "config") };
    } catch (e) {
        throw new PlanInputError(
            `--config ${configFile ?? "(text)"}: ${(e as Error).message}`,
            "--config",
        );
    }
}
