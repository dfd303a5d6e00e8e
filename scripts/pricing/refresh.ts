// Regenerates policy/pricing/<region>.json from the AWS Price List API (needs AWS credentials
// with pricing:GetProducts). `npm run pricing:refresh -- --region eu-west-1 [--region ...]`.
// Entries the API run does not return (global prices, hand-recorded ones) are kept as they were.
import * as fs from "fs";
import * as path from "path";
import { Filter, GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import { PriceEntry } from "../../policy/cost/types";
import { PRICING_DIR } from "../../policy/cost/pricing";
import { entriesFrom } from "./parse";
import { exitWith } from "../exitWith";

const QUERIES: Array<{ serviceCode: string; filters: Record<string, string> }> = [
    {
        serviceCode: "AmazonEC2",
        filters: {
            productFamily: "Compute Instance",
            operatingSystem: "Linux",
            tenancy: "Shared",
            preInstalledSw: "NA",
            capacitystatus: "Used",
        },
    },
    { serviceCode: "AmazonEC2", filters: { productFamily: "NAT Gateway" } },
    {
        serviceCode: "AmazonRDS",
        filters: {
            productFamily: "Database Instance",
            databaseEngine: "PostgreSQL",
            deploymentOption: "Single-AZ",
        },
    },
    {
        serviceCode: "AmazonElastiCache",
        filters: { productFamily: "Cache Instance", cacheEngine: "Redis" },
    },
    { serviceCode: "AWSELB", filters: { productFamily: "Load Balancer-Application" } },
    { serviceCode: "AmazonECS", filters: {} },
];

async function fetchItems(
    client: PricingClient,
    region: string,
    q: (typeof QUERIES)[number],
): Promise<string[]> {
    const filters: Filter[] = Object.entries({ ...q.filters, regionCode: region }).map(
        ([Field, Value]) => ({ Type: "TERM_MATCH", Field, Value }),
    );
    const items: string[] = [];
    let token: string | undefined;
    do {
        const page = await client.send(
            new GetProductsCommand({
                ServiceCode: q.serviceCode,
                Filters: filters,
                NextToken: token,
                MaxResults: 100,
            }),
        );
        items.push(...(page.PriceList ?? []));
        token = page.NextToken;
    } while (token);
    return items;
}

async function refresh(region: string): Promise<void> {
    const file = path.join(PRICING_DIR, `${region}.json`);
    const doc = fs.existsSync(file)
        ? (JSON.parse(fs.readFileSync(file, "utf8")) as {
              prices: Record<string, PriceEntry>;
          } & Record<string, unknown>)
        : { region, currency: "USD", hoursPerMonth: 730, prices: {} as Record<string, PriceEntry> };
    // The Price List API is served from us-east-1 (and ap-south-1) whatever region is priced.
    const client = new PricingClient({ region: "us-east-1" });
    const items: string[] = [];
    for (const q of QUERIES) {
        items.push(...(await fetchItems(client, region, q)));
    }
    const today = new Date().toISOString().slice(0, 10);
    // Only classes the file already lists (the model's working set), plus the fixed keys.
    const fresh = entriesFrom(items, doc.prices, today);
    const keep = Object.fromEntries(
        Object.entries(fresh).filter(
            ([k]) => k in doc.prices || !/^(ec2|rds|elasticache)\./.test(k),
        ),
    );
    const prices = { ...doc.prices, ...keep };
    fs.writeFileSync(
        file,
        `${JSON.stringify({ ...doc, region, generated: today, generatedBy: "npm run pricing:refresh (AWS Price List API)", prices }, null, 2)}\n`,
    );
    process.stdout.write(
        `${region}: ${Object.keys(keep).length} prices refreshed, ${Object.keys(prices).length - Object.keys(keep).length} kept from the previous file -> ${path.relative(process.cwd(), file)}\n`,
    );
}

async function main(argv: string[]): Promise<number> {
    const regions = argv.flatMap((a, i) =>
        a === "--region" && argv[i + 1]
            ? [argv[i + 1]]
            : a.startsWith("--region=")
              ? [a.slice(9)]
              : [],
    );
    if (regions.length === 0 || regions.some((r) => !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r))) {
        process.stderr.write(
            "usage: npm run pricing:refresh -- --region <aws-region> [--region ...] (needs AWS credentials with pricing:GetProducts)\n",
        );
        return 2;
    }
    for (const r of regions) {
        await refresh(r);
    }
    return 0;
}

if (require.main === module) {
    exitWith(main(process.argv.slice(2)));
}
