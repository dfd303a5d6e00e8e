// The pure half of the region-zones refresh: read `aws ec2 describe-availability-zones` output,
// merge it into the table, and write config/regionZones.ts as text. No AWS call and no file system,
// so tests drive it with fixtures (tests/fixtures/regions/).
import type { RegionZones, ZoneSource } from "../../config/regionZones";

/** One region's usable zones as read from one describe-availability-zones document. */
export interface DescribedRegion {
    region: string;
    /** AZ IDs of the zones that count, in natural order (use1-az2 before use1-az10). */
    zoneIds: string[];
    /** Zones left out and why (local zones, Wavelength zones, zones not available). */
    skipped: string[];
}

const ZONE_FIELDS = ["ZoneName", "ZoneId", "ZoneType", "State", "RegionName"] as const;

/** use1-az2 before use1-az10: the number after "-az" compared as a number. */
export function compareZoneIds(a: string, b: string): number {
    const [pa, na] = splitZoneId(a);
    const [pb, nb] = splitZoneId(b);
    return pa === pb ? na - nb : pa < pb ? -1 : 1;
}

function splitZoneId(id: string): [string, number] {
    const m = /^(.*)-az(\d+)$/.exec(id);
    return m ? [m[1], Number(m[2])] : [id, 0];
}

/**
 * The usable availability zones in one `aws ec2 describe-availability-zones
 * --all-availability-zones --region R` document: only `ZoneType: "availability-zone"` with
 * `State: "available"` count (local zones and Wavelength zones cannot hold the VPC's subnets for
 * the ALB). `file` names the document in errors; a file named after a region must hold that region.
 */
export function parseDescribeAvailabilityZones(doc: unknown, file: string): DescribedRegion {
    const zones = (doc as { AvailabilityZones?: unknown } | null)?.AvailabilityZones;
    if (typeof doc !== "object" || doc === null || !Array.isArray(zones)) {
        throw new Error(
            `${file}: not describe-availability-zones output (expected {"AvailabilityZones": [...]})`,
        );
    }
    const regions = new Set<string>();
    const zoneIds: string[] = [];
    const skipped: string[] = [];
    zones.forEach((z: unknown, i) => {
        const zone = (typeof z === "object" && z !== null ? z : {}) as Record<string, unknown>;
        const missing = ZONE_FIELDS.filter((f) => typeof zone[f] !== "string" || zone[f] === "");
        if (missing.length > 0) {
            throw new Error(`${file}: AvailabilityZones[${i}] has no ${missing.join(", ")}`);
        }
        const { ZoneName, ZoneId, ZoneType, State, RegionName } = zone as Record<
            (typeof ZONE_FIELDS)[number],
            string
        >;
        regions.add(RegionName);
        if (ZoneType !== "availability-zone") {
            skipped.push(`${ZoneName} (${ZoneId}): ${ZoneType}`);
        } else if (State !== "available") {
            skipped.push(`${ZoneName} (${ZoneId}): state ${State}`);
        } else {
            zoneIds.push(ZoneId);
        }
    });
    if (regions.size !== 1) {
        throw new Error(
            regions.size === 0
                ? `${file}: lists no zones`
                : `${file}: mixes regions (${[...regions].sort().join(", ")}); give one file per region`,
        );
    }
    const region = [...regions][0];
    const named = /([a-z]{2}(?:-[a-z]+)+-\d+)\.json$/.exec(file)?.[1];
    if (named !== undefined && named !== region) {
        throw new Error(`${file}: named after ${named} but lists zones of ${region}`);
    }
    if (zoneIds.length === 0) {
        throw new Error(`${file}: ${region} has no available availability zone`);
    }
    if (new Set(zoneIds).size !== zoneIds.length) {
        throw new Error(`${file}: lists an AZ ID twice`);
    }
    return { region, zoneIds: zoneIds.sort(compareZoneIds), skipped };
}

/** A line per region whose entry the refresh changes (added, or its zones differ). */
export function describeChanges(
    before: Readonly<Record<string, RegionZones>>,
    after: Readonly<Record<string, RegionZones>>,
): string[] {
    return Object.keys(after)
        .sort()
        .flatMap((region) => {
            const old = before[region];
            const now = after[region].zoneIds;
            if (!old) {
                return [`${region}: added, ${now.length} zones (${now.join(", ")})`];
            }
            if (old.zoneIds.join() !== now.join()) {
                return [
                    `${region}: ${old.zoneIds.length} -> ${now.length} zones (${old.zoneIds.join(", ")} -> ${now.join(", ")})`,
                ];
            }
            return [];
        });
}

/** The table after a refresh: `described` replaces its regions' entries, the rest are kept. */
export function mergeZones(
    current: Readonly<Record<string, RegionZones>>,
    described: DescribedRegion[],
    checked: string,
    replace = false,
): Record<string, RegionZones> {
    const source: ZoneSource = "describe-availability-zones";
    const merged: Record<string, RegionZones> = replace ? {} : { ...current };
    for (const d of described) {
        merged[d.region] = { zoneIds: d.zoneIds, source, checked };
    }
    return merged;
}

const quoted = (s: string): string => JSON.stringify(s);

/** `zoneIds: [...]` on one line when it fits in 100 columns (as Prettier would), else one per line. */
function zoneIdsLine(ids: readonly string[]): string[] {
    const oneLine = `        zoneIds: [${ids.map(quoted).join(", ")}],`;
    if (oneLine.length <= 100) {
        return [oneLine];
    }
    return ["        zoneIds: [", ...ids.map((id) => `            ${quoted(id)},`), "        ],"];
}

/** config/regionZones.ts as text: the header, the types, the table sorted by region, the lookups. */
export function renderRegionZonesModule(
    table: Readonly<Record<string, RegionZones>>,
    generated: string,
): string {
    const entries = Object.keys(table)
        .sort()
        .flatMap((region) => [
            `    ${quoted(region)}: {`,
            ...zoneIdsLine(table[region].zoneIds),
            `        source: ${quoted(table[region].source)},`,
            `        checked: ${quoted(table[region].checked)},`,
            "    },",
        ]);
    return `${[
        "// Usable availability zones per AWS region, by AZ ID: the zones a new account is offered",
        '// (`ZoneType: "availability-zone"`, `State: "available"`; not local or Wavelength zones). AZ',
        "// names (us-west-1a) point at different zones in different accounts, AZ IDs (usw1-az1) do not,",
        "// and the count is the same for every account: us-west-1 offers 2 although its names run a-c.",
        "// parseConfig refuses a network.azCount above its region's count before anything registers; a",
        "// region missing here is checked only at deploy, by the lookup in components/network.ts.",
        "//",
        '// Sources: entries marked "aws-docs" were recorded from AWS\'s list of AZ IDs per region,',
        "// https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html",
        "// (names and IDs: https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html);",
        '// entries marked "describe-availability-zones" come from an account\'s',
        "// `aws ec2 describe-availability-zones --all-availability-zones --region R` output.",
        `// Generated by scripts/regions/refresh.ts on ${generated}: refresh it there, not by hand.`,
        "",
        "/** Where an entry came from. */",
        'export type ZoneSource = "aws-docs" | "describe-availability-zones";',
        "",
        "export interface RegionZones {",
        "    /** AZ IDs of the usable zones, in natural order; their number is the region's count. */",
        "    zoneIds: readonly string[];",
        "    source: ZoneSource;",
        "    /** The day the entry was recorded (YYYY-MM-DD). */",
        "    checked: string;",
        "}",
        "",
        "/** The day this module was generated (YYYY-MM-DD). */",
        `export const REGION_ZONES_GENERATED = ${quoted(generated)};`,
        "",
        "export const REGION_ZONES: Readonly<Record<string, RegionZones>> = {",
        ...entries,
        "};",
        "",
        "/** The region's usable AZ IDs, or undefined when the table does not know the region. */",
        "export function regionZoneIds(region: string): readonly string[] | undefined {",
        "    return Object.prototype.hasOwnProperty.call(REGION_ZONES, region)",
        "        ? REGION_ZONES[region].zoneIds",
        "        : undefined;",
        "}",
    ].join("\n")}\n`;
}
