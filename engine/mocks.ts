// Answers a plan takes as given (`--mocks FILE`, PlanOptions.mocks / mocksFile): the offline
// counterpart of `pulumi.runtime.setMocks`. A data source's token maps to its whole result (it
// replaces what the mock cloud would answer); a resource type maps to outputs merged over the mock
// cloud's. The document is checked strictly: anything else is the flag's error (exit 2).
import * as yaml from "js-yaml";
import { readText } from "./program";
import { PlanInputError, PlanMocks, PlanOptions } from "./planTypes";

const SECTIONS = ["invokes", "resources"] as const;
/** `package:module:member`, as Pulumi spells function and resource tokens. */
const TOKEN = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]*:[A-Za-z0-9_]+$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

function kindOf(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "a list";
    return `a ${typeof v}`;
}

/** The document checked: its sections, each key a token, each value an object. */
export function validateMocks(doc: unknown, where: string): Required<PlanMocks> {
    const fail = (message: string) => {
        throw new PlanInputError(`--mocks ${where}: ${message}`, "--mocks");
    };
    if (doc === undefined || doc === null) {
        return { invokes: {}, resources: {} };
    }
    if (!isObject(doc)) {
        fail(`expected an object with "invokes" and/or "resources" (got ${kindOf(doc)})`);
    }
    const top = doc as Record<string, unknown>;
    for (const key of Object.keys(top)) {
        if (!(SECTIONS as readonly string[]).includes(key)) {
            fail(`unknown key ${JSON.stringify(key)} (expected "invokes" and/or "resources")`);
        }
    }
    const out: Required<PlanMocks> = { invokes: {}, resources: {} };
    for (const section of SECTIONS) {
        const value = top[section];
        if (value === undefined || value === null) {
            continue;
        }
        if (!isObject(value)) {
            fail(`${section}: expected an object of token -> fields (got ${kindOf(value)})`);
        }
        for (const [token, entry] of Object.entries(value as Record<string, unknown>)) {
            const path = `${section}.${JSON.stringify(token)}`;
            if (!TOKEN.test(token)) {
                fail(
                    `${path}: not a Pulumi ${section === "invokes" ? "function token (e.g. aws:ec2/getVpc:getVpc)" : "resource type (e.g. aws:s3/bucket:Bucket)"}`,
                );
            }
            if (!isObject(entry)) {
                fail(
                    `${path}: expected an object of ${section === "invokes" ? "result" : "output"} fields (got ${kindOf(entry)})`,
                );
            }
            out[section][token] = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
        }
    }
    return out;
}

/** The plan's pinned answers: `mocks` (an object) wins over `mocksFile` (YAML or JSON). */
export function readMocks(options: PlanOptions): Required<PlanMocks> | undefined {
    if (options.mocks !== undefined) {
        return validateMocks(options.mocks, "(given as an object)");
    }
    if (options.mocksFile === undefined) {
        return undefined;
    }
    const text = readText(options.mocksFile, "--mocks");
    let doc: unknown;
    try {
        // YAML is a superset of JSON; the core schema keeps dates and the like as strings.
        doc = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: options.mocksFile });
    } catch (e) {
        throw new PlanInputError(
            `--mocks ${options.mocksFile}: not YAML or JSON (${(e as Error).message.split("\n")[0]})`,
            "--mocks",
        );
    }
    return validateMocks(doc, options.mocksFile);
}
