// Parsing of AWS Price List API (GetProducts) answers into price-file entries. Pure: the refresh
// script feeds it live answers, the tests a recorded one. Each PriceList item is a JSON document
// string: { product: { productFamily, attributes }, serviceCode, terms: { OnDemand: { <term>:
// { effectiveDate, priceDimensions: { <dim>: { unit, pricePerUnit: { USD } } } } } } }.
import { PriceEntry } from "../../policy/cost/types";

export interface PriceListProduct {
    product?: { productFamily?: string; attributes?: Record<string, string>; sku?: string };
    serviceCode?: string;
    terms?: {
        OnDemand?: Record<
            string,
            {
                effectiveDate?: string;
                priceDimensions?: Record<
                    string,
                    { unit?: string; pricePerUnit?: { USD?: string }; beginRange?: string }
                >;
            }
        >;
    };
}

/** One on-demand price read from a product. */
export interface OnDemandPrice {
    serviceCode: string;
    family: string;
    attributes: Record<string, string>;
    unit: string;
    usd: number;
    effectiveDate: string;
}

/** Every on-demand price dimension of a PriceList item (tiers above the first are skipped). */
export function onDemandPrices(item: string): OnDemandPrice[] {
    const doc = JSON.parse(item) as PriceListProduct;
    const out: OnDemandPrice[] = [];
    for (const term of Object.values(doc.terms?.OnDemand ?? {})) {
        for (const dim of Object.values(term.priceDimensions ?? {})) {
            const usd = Number(dim.pricePerUnit?.USD);
            if (!Number.isFinite(usd) || (dim.beginRange !== undefined && dim.beginRange !== "0")) {
                continue;
            }
            out.push({
                serviceCode: doc.serviceCode ?? "",
                family: doc.product?.productFamily ?? "",
                attributes: doc.product?.attributes ?? {},
                unit: dim.unit ?? "",
                usd,
                effectiveDate: (term.effectiveDate ?? "").slice(0, 10),
            });
        }
    }
    return out;
}

export const SOURCES: Record<string, string> = {
    AmazonEC2: "https://aws.amazon.com/ec2/pricing/on-demand/",
    AmazonRDS: "https://aws.amazon.com/rds/postgresql/pricing/",
    AmazonElastiCache: "https://aws.amazon.com/elasticache/pricing/",
    AWSELB: "https://aws.amazon.com/elasticloadbalancing/pricing/",
    AmazonECS: "https://aws.amazon.com/fargate/pricing/",
};

/** The price-file key a price belongs to, or undefined for products the model does not use. */
export function keyFor(p: OnDemandPrice): string | undefined {
    const a = p.attributes;
    const usage = a["usagetype"] ?? "";
    switch (p.serviceCode) {
        case "AmazonEC2":
            if (
                p.family === "Compute Instance" &&
                a["operatingSystem"] === "Linux" &&
                a["tenancy"] === "Shared" &&
                a["preInstalledSw"] === "NA" &&
                a["capacitystatus"] === "Used"
            ) {
                return `ec2.${a["instanceType"]}.hour`;
            }
            if (p.family === "NAT Gateway") {
                return usage.endsWith("NatGateway-Hours")
                    ? "nat.hour"
                    : usage.endsWith("NatGateway-Bytes")
                      ? "nat.gb"
                      : undefined;
            }
            return undefined;
        case "AmazonRDS":
            return p.family === "Database Instance" &&
                a["databaseEngine"] === "PostgreSQL" &&
                a["deploymentOption"] === "Single-AZ"
                ? `rds.${a["instanceType"]}.hour`
                : undefined;
        case "AmazonElastiCache":
            return p.family === "Cache Instance" && a["cacheEngine"] === "Redis"
                ? `elasticache.${a["instanceType"]}.hour`
                : undefined;
        case "AWSELB":
            if (p.family !== "Load Balancer-Application") {
                return undefined;
            }
            return usage.endsWith("LoadBalancerUsage")
                ? "alb.hour"
                : usage.endsWith("LCUUsage")
                  ? "alb.lcuHour"
                  : undefined;
        case "AmazonECS":
            return fargateKey(usage);
        default:
            return undefined;
    }
}

function fargateKey(usage: string): string | undefined {
    if (usage.includes("Spot") || usage.includes("Windows")) {
        return undefined;
    }
    const arch = usage.includes("ARM") ? "arm" : "x86";
    if (/Fargate-(ARM-)?vCPU-Hours:perCPU$/.test(usage)) {
        return `fargate.${arch}.vcpuHour`;
    }
    if (/Fargate-(ARM-)?GB-Hours$/.test(usage)) {
        return `fargate.${arch}.gbHour`;
    }
    return undefined;
}

/** Entries for the price file from PriceList items; the previous entry's unit wording is kept. */
export function entriesFrom(
    items: string[],
    previous: Record<string, PriceEntry>,
    today: string,
): Record<string, PriceEntry> {
    const out: Record<string, PriceEntry> = {};
    for (const item of items) {
        for (const p of onDemandPrices(item)) {
            const key = keyFor(p);
            if (!key || p.usd <= 0) {
                continue;
            }
            out[key] = {
                unit: previous[key]?.unit ?? p.unit,
                price: p.usd,
                source: SOURCES[p.serviceCode] ?? "https://pricing.us-east-1.amazonaws.com",
                date: today,
                verified: true,
                checkedAgainst: `AWS Price List API (${p.serviceCode}, effective ${p.effectiveDate || "unknown"})`,
                ...(previous[key]?.note && !previous[key].note!.includes("regenerate")
                    ? { note: previous[key].note }
                    : {}),
            };
        }
    }
    return out;
}
