// What every mock-cloud answer needs to know: where it runs and the helpers to read its inputs.
import { plainFromWire } from "../engine";

export interface CloudContext {
    region: string;
    account: string;
    partition: string;
    /** Availability zone names of the region, in order. */
    azs: string[];
}

export interface MockAnswer {
    id: string | undefined;
    state: Record<string, unknown>;
}

/** An input as a plain value: secret wrappers removed, the unknown sentinel as undefined. */
export function plain(value: unknown): unknown {
    return plainFromWire(value, "", []);
}

export function str(value: unknown): string | undefined {
    const v = plain(value);
    return typeof v === "string" && v !== "" ? v : undefined;
}

export function num(value: unknown): number | undefined {
    const v = plain(value);
    return typeof v === "number" ? v : undefined;
}

export function list(value: unknown): unknown[] {
    const v = plain(value);
    return Array.isArray(v) ? v : [];
}

/** Region abbreviation used in AZ ids and ElastiCache endpoints: us-east-1 -> use1, ap-southeast-2 -> apse2. */
export function regionShort(region: string): string {
    const m = /^([a-z]{2})(?:-gov)?-([a-z]+)-(\d+)$/.exec(region);
    if (!m) {
        return region.replace(/-/g, "");
    }
    const dir: Record<string, string> = {
        east: "e",
        west: "w",
        north: "n",
        south: "s",
        central: "c",
        northeast: "ne",
        northwest: "nw",
        southeast: "se",
        southwest: "sw",
    };
    return `${m[1]}${dir[m[2]] ?? m[2][0]}${m[3]}`;
}

/** The AZs AWS offers in a region (us-east-1 has six, us-west-1 two, most three). */
export function regionAzs(region: string): string[] {
    const letters: Record<string, string[]> = {
        "us-east-1": ["a", "b", "c", "d", "e", "f"],
        "us-west-1": ["b", "c"],
        "us-west-2": ["a", "b", "c", "d"],
        "ap-northeast-1": ["a", "c", "d"],
        "ap-northeast-2": ["a", "b", "c", "d"],
        "ca-central-1": ["a", "b", "d"],
    };
    return (letters[region] ?? ["a", "b", "c"]).map((l) => `${region}${l}`);
}
