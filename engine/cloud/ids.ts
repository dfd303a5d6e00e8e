// Deterministic identifiers: the same program and config always get the same ids, so plans diff
// cleanly between runs and machines. FNV-1a over the seed, extended in rounds.

/** Stable hex string (default 17 digits, like `sg-`/`subnet-` ids) from a seed. */
export function hexId(seed: string, length = 17): string {
    let h = 2166136261;
    let out = "";
    for (let round = 0; out.length < length; round++) {
        for (const ch of `${seed}#${round}`) {
            h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
        }
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

const ALNUM_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Stable string over an alphabet (e.g. the 12-char RDS account/region hash). */
export function stableChars(seed: string, length: number, alphabet: string = ALNUM_LOWER): string {
    const hex = hexId(seed, length * 2);
    let out = "";
    for (let i = 0; i < length; i++) {
        out += alphabet[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
    }
    return out;
}

export function stableUpper(seed: string, length: number): string {
    return stableChars(seed, length, ALNUM_UPPER);
}

/** Stable RFC 4122-shaped UUID (version 4 layout). */
export function stableUuid(seed: string): string {
    const h = hexId(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Stable decimal digits (e.g. the 10 digits in an ALB DNS name). */
export function stableDigits(seed: string, length: number): string {
    const hex = hexId(seed, length * 2);
    let out = "";
    for (let i = 0; i < length; i++) {
        out += String(parseInt(hex.slice(i * 2, i * 2 + 2), 16) % 10);
    }
    return out.replace(/^0/, "1");
}
