// Cloudflare resources and data sources: 32-hex ids like Cloudflare's API, and the published
// edge IP ranges (https://www.cloudflare.com/ips/).
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { CloudContext, MockAnswer, plain, str } from "./context";
import { hexId } from "./ids";

// The published ranges live with the config layer, which sizes the origin prefix lists by them.
export { CLOUDFLARE_IPV4, CLOUDFLARE_IPV6 } from "../../config/cloudflareRanges";
import { CLOUDFLARE_IPV4, CLOUDFLARE_IPV6 } from "../../config/cloudflareRanges";

const CREATED = "2026-01-01T00:00:00Z";

export function cloudflareResource(
    _ctx: CloudContext,
    args: MockResourceArgs,
): MockAnswer | undefined {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const seed = `${args.type}/${args.name}`;
    switch (args.type) {
        case "cloudflare:index/dnsRecord:DnsRecord": {
            const proxied = plain(inputs.proxied) === true;
            return {
                id: hexId(seed, 32),
                state: {
                    proxiable: true,
                    ttl: proxied ? 1 : (plain(inputs.ttl) ?? 1),
                    createdOn: CREATED,
                    modifiedOn: CREATED,
                    meta: "{}",
                    commentModifiedOn: CREATED,
                    tagsModifiedOn: CREATED,
                },
            };
        }
        case "cloudflare:index/workersScript:WorkersScript": {
            const name = str(inputs.scriptName) ?? args.name;
            return {
                id: name,
                state: {
                    scriptName: name,
                    etag: hexId(`${seed}/etag`, 64),
                    createdOn: CREATED,
                    modifiedOn: CREATED,
                    hasModules: plain(inputs.mainModule) !== undefined,
                    hasAssets: false,
                },
            };
        }
        case "cloudflare:index/workersRoute:WorkersRoute":
        case "cloudflare:index/workersCustomDomain:WorkersCustomDomain":
        case "cloudflare:index/ruleset:Ruleset":
        case "cloudflare:index/pageRule:PageRule":
        case "cloudflare:index/zoneDnssec:ZoneDnssec":
        case "cloudflare:index/healthcheck:Healthcheck":
            return {
                id: hexId(seed, 32),
                state: { createdOn: CREATED, modifiedOn: CREATED, version: "1" },
            };
        case "cloudflare:index/zoneSetting:ZoneSetting":
            return {
                id: str(inputs.settingId) ?? args.name,
                state: { editable: true, modifiedOn: CREATED },
            };
        case "cloudflare:index/zone:Zone": {
            const h = hexId(seed, 8);
            return {
                id: hexId(seed, 32),
                state: {
                    status: "pending",
                    nameServers: [
                        `ns${parseInt(h.slice(0, 2), 16) % 50}.cloudflare.com`,
                        `ns${(parseInt(h.slice(2, 4), 16) % 50) + 50}.cloudflare.com`,
                    ],
                    createdOn: CREATED,
                },
            };
        }
        default:
            return undefined;
    }
}

export function cloudflareCall(
    token: string,
    inputs: Record<string, unknown>,
): Record<string, unknown> | undefined {
    switch (token) {
        case "cloudflare:index/getIpRanges:getIpRanges": {
            const jd = str(inputs.networks) === "jdcloud";
            return {
                etag: hexId([...CLOUDFLARE_IPV4, ...CLOUDFLARE_IPV6].join(","), 32),
                ipv4Cidrs: CLOUDFLARE_IPV4,
                ipv6Cidrs: CLOUDFLARE_IPV6,
                // The JD Cloud list is only returned when asked for; we do not carry it offline.
                jdcloudCidrs: [],
                ...(jd ? { networks: "jdcloud" } : {}),
            };
        }
        default:
            return undefined;
    }
}
