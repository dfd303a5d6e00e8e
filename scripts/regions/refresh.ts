// Regenerates config/regionZones.ts (each region's usable availability zones) from the AWS CLI's
// answers, one JSON file per region, made with credentials for any account:
//
//   mkdir -p zones
//   for r in $(aws ec2 describe-regions --query 'Regions[].RegionName' --output text); do
//     aws ec2 describe-availability-zones --all-availability-zones --region "$r" > "zones/$r.json"
//   done
//   node -r ts-node/register/transpile-only scripts/regions/refresh.ts --from zones [--replace]
//
// Regions without a file keep their entries unless --replace is given. A region that
// config/rules/formats.ts does not list in KNOWN_REGIONS is refused: parseConfig would reject it.
import * as fs from "fs";
import * as path from "path";
import { REGION_ZONES, RegionZones } from "../../config/regionZones";
import { KNOWN_REGIONS } from "../../config/rules";
import {
    DescribedRegion,
    describeChanges,
    mergeZones,
    parseDescribeAvailabilityZones,
    renderRegionZonesModule,
} from "./zones";
import { exitWith } from "../exitWith";

export const TABLE_FILE = path.resolve(__dirname, "..", "..", "config", "regionZones.ts");

const USAGE =
    "usage: refresh.ts --from DIR [--out FILE] [--replace] (DIR: one `aws ec2 describe-availability-zones --all-availability-zones --region R` JSON file per region)";

export interface RefreshOptions {
    /** Directory of describe-availability-zones JSON files (every *.json in it is read). */
    from: string;
    /** Module to write (default config/regionZones.ts). */
    out?: string;
    /** Drop regions that have no file instead of keeping their entries. */
    replace?: boolean;
    /** The day recorded in the module (default today, UTC). */
    today?: string;
    /** The table merged into (default the current REGION_ZONES). */
    current?: Readonly<Record<string, RegionZones>>;
}

/** Reads every *.json file in `dir`, sorted, as describe-availability-zones output. */
export function readDescribedRegions(dir: string): DescribedRegion[] {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new Error(`--from ${dir}: no such directory`);
    }
    const files = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort();
    if (files.length === 0) {
        throw new Error(`--from ${dir}: no .json files (${USAGE})`);
    }
    const seen = new Map<string, string>();
    return files.map((f) => {
        const file = path.join(dir, f);
        let doc: unknown;
        try {
            doc = JSON.parse(fs.readFileSync(file, "utf8"));
        } catch (e) {
            throw new Error(`${file}: not JSON (${(e as Error).message})`);
        }
        const described = parseDescribeAvailabilityZones(doc, file);
        const earlier = seen.get(described.region);
        if (earlier !== undefined) {
            throw new Error(`${file}: ${described.region} is already given by ${earlier}`);
        }
        seen.set(described.region, file);
        if (!(KNOWN_REGIONS as readonly string[]).includes(described.region)) {
            throw new Error(
                `${file}: ${described.region} is not in KNOWN_REGIONS (config/rules/formats.ts): add it there first`,
            );
        }
        return described;
    });
}

/** A path as the user would type it: relative inside the working directory, else absolute. */
function shown(file: string): string {
    const rel = path.relative(process.cwd(), file);
    return rel === "" || rel.startsWith("..") ? path.resolve(file) : rel;
}

/** Writes the refreshed module; returns what it did, a line per region changed or file read. */
export function refreshRegionZones(options: RefreshOptions): string[] {
    const described = readDescribedRegions(options.from);
    const current = options.current ?? REGION_ZONES;
    const today = options.today ?? new Date().toISOString().slice(0, 10);
    const table = mergeZones(current, described, today, options.replace);
    const out = options.out ?? TABLE_FILE;
    fs.writeFileSync(out, renderRegionZonesModule(table, today));
    const dropped = Object.keys(current).filter((r) => !(r in table));
    return [
        ...described.map(
            (d) =>
                `${d.region}: ${d.zoneIds.length} usable zones${d.skipped.length > 0 ? `; left out ${d.skipped.join(", ")}` : ""}`,
        ),
        ...describeChanges(current, table),
        ...dropped.map((r) => `${r}: dropped (no file, --replace)`),
        `wrote ${shown(out)}: ${Object.keys(table).length} regions`,
    ];
}

function parseArgs(argv: string[]): RefreshOptions | undefined {
    const options: Partial<RefreshOptions> = {};
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split(/=(.*)/s, 2);
        if (flag === "--replace" && inline === undefined) {
            options.replace = true;
            continue;
        }
        const value = inline ?? argv[++i];
        if (value === undefined || value === "") {
            return undefined;
        }
        if (flag === "--from") {
            options.from = value;
        } else if (flag === "--out") {
            options.out = value;
        } else {
            return undefined;
        }
    }
    return options.from ? (options as RefreshOptions) : undefined;
}

async function main(argv: string[]): Promise<number> {
    const options = parseArgs(argv);
    if (!options) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
    }
    process.stdout.write(`${refreshRegionZones(options).join("\n")}\n`);
    return 0;
}

if (require.main === module) {
    exitWith(main(process.argv.slice(2)));
}
