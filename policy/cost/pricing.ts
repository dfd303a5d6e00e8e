// The price book: policy/pricing/<region>.json merged with policy/pricing/global.json. Read from
// the pack's own directory so a real `pulumi preview --policy-pack policy` finds the data too.
import * as fs from "fs";
import * as path from "path";
import { PriceBook, PriceEntry } from "./types";

/** policy/pricing, from the sources (policy/cost) or from the compiled pack (policy/bin/cost). */
export const PRICING_DIR =
    [path.join(__dirname, "..", "pricing"), path.join(__dirname, "..", "..", "pricing")].find(
        (dir) => fs.existsSync(path.join(dir, "global.json")),
    ) ?? path.join(__dirname, "..", "pricing");

interface RegionFile {
    region: string;
    currency: "USD";
    hoursPerMonth: number;
    generated: string;
    prices: Record<string, PriceEntry>;
}

interface GlobalFile {
    prices: Record<string, PriceEntry>;
    vcpus: { values: Record<string, number> };
}

/** Regions that have a price file. */
export function pricedRegions(dir: string = PRICING_DIR): string[] {
    return fs
        .readdirSync(dir)
        .filter((f) => /^[a-z]{2}(-[a-z]+)+-\d\.json$/.test(f))
        .map((f) => f.replace(/\.json$/, ""))
        .sort();
}

/** Thrown when a region has no price file; the message says what to do. */
export class NoPricingError extends Error {
    constructor(
        public readonly region: string,
        available: string[],
    ) {
        super(
            `no pricing data for region ${region} (priced regions: ${available.join(", ")}). ` +
                `Add policy/pricing/${region}.json (\`npm run pricing:refresh -- --region ${region}\` with AWS credentials), ` +
                `or plan with --no-cost / set the cost-budget policy to "disabled" for this stack.`,
        );
        this.name = "NoPricingError";
    }
}

const cache = new Map<string, PriceBook>();

/** The price book of a region (cached per directory and region). */
export function loadPriceBook(region: string, dir: string = PRICING_DIR): PriceBook {
    const key = `${dir}\n${region}`;
    const hit = cache.get(key);
    if (hit) {
        return hit;
    }
    const file = path.join(dir, `${region}.json`);
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region) || !fs.existsSync(file)) {
        throw new NoPricingError(region, pricedRegions(dir));
    }
    const regional = JSON.parse(fs.readFileSync(file, "utf8")) as RegionFile;
    const global = JSON.parse(fs.readFileSync(path.join(dir, "global.json"), "utf8")) as GlobalFile;
    const book: PriceBook = {
        region: regional.region,
        currency: "USD",
        hoursPerMonth: regional.hoursPerMonth,
        generated: regional.generated,
        // A regional entry wins over a global one with the same key.
        prices: { ...global.prices, ...regional.prices },
        vcpus: global.vcpus.values,
    };
    cache.set(key, book);
    return book;
}

/** Known keys matching `prefix.<x>.suffix`, as `<x>` values: the classes a region has prices for. */
export function knownClasses(book: PriceBook, prefix: string, suffix: string): string[] {
    return Object.keys(book.prices)
        .filter((k) => k.startsWith(`${prefix}.`) && k.endsWith(`.${suffix}`))
        .map((k) => k.slice(prefix.length + 1, k.length - suffix.length - 1))
        .sort();
}
