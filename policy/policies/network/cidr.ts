// CIDR maths (IPv4 and IPv6): parsing, containment, and the world (/0) ranges.

export interface Cidr {
    version: 4 | 6;
    prefix: number;
    start: bigint;
    end: bigint;
}

function parseIpv4(s: string): bigint | undefined {
    const parts = s.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
        return undefined;
    }
    return parts.reduce((acc, p) => (acc << 8n) + BigInt(Number(p)), 0n);
}

function parseIpv6(s: string): bigint | undefined {
    const halves = s.split("::");
    if (halves.length > 2) {
        return undefined;
    }
    const group = (h: string) => (h === "" ? [] : h.split(":"));
    const head = group(halves[0]);
    const tail = halves.length === 2 ? group(halves[1]) : [];
    const missing = 8 - head.length - tail.length;
    if ((halves.length === 1 && missing !== 0) || missing < 0) {
        return undefined;
    }
    const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
        return undefined;
    }
    return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** Parse "10.0.0.0/16" or "2600:1f18::/56"; undefined when it is not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
    if (!m) {
        return undefined;
    }
    const prefix = Number(m[2]);
    const v4 = parseIpv4(m[1]);
    const version: 4 | 6 = v4 !== undefined ? 4 : 6;
    const addr = v4 ?? parseIpv6(m[1]);
    const bits = version === 4 ? 32 : 128;
    if (addr === undefined || prefix > bits) {
        return undefined;
    }
    const size = 1n << BigInt(bits - prefix);
    const start = (addr / size) * size;
    return { version, prefix, start, end: start + size - 1n };
}

/** True if `inner` lies entirely inside one of `outers`. */
export function cidrWithin(inner: string, outers: string[]): boolean {
    const i = parseCidr(inner);
    if (!i) {
        return false;
    }
    return outers.some((o) => {
        const c = parseCidr(o);
        return c !== undefined && c.version === i.version && c.start <= i.start && i.end <= c.end;
    });
}

/** True for 0.0.0.0/0 and ::/0 (and any other /0 spelling). */
export function isWorldCidr(text: string): boolean {
    const c = parseCidr(text);
    return c !== undefined && c.prefix === 0;
}
