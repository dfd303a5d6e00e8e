// The benchmark's arithmetic: medians, and a goal's ratio paired round by round.

export function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * A goal's ratio, paired round by round: each round's plan over the reference measured in the same
 * round, then the median of those ratios (a drift in the machine's speed moves both halves of a
 * pair alike; a ratio of the two medians can pair a fast round's plan with a slow round's
 * reference). The spread of the rounds' ratios shows how far one run can be trusted.
 */
export function pairedRatios(
    plans: number[],
    refs: number[],
): { median: number; min: number; max: number } {
    const ratios = plans.map((p, i) => p / refs[i]).filter((r) => Number.isFinite(r));
    return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}
