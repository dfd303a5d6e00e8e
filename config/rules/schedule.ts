// UTC time windows (daily "hh:mm-hh:mm" and weekly "ddd:hh:mm-ddd:hh:mm"): parsing, length,
// overlap, and the window check the database and cache sections use.
import { ConfigIssue } from "../types";
import { issue } from "./common";

export interface TimeWindow {
    /** Minutes from Monday 00:00 (weekly) or midnight (daily). */
    start: number;
    end: number;
    weekly: boolean;
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function minutesOf(h: string, m: string): number | undefined {
    const hh = Number(h);
    const mm = Number(m);
    return hh <= 23 && mm <= 59 ? hh * 60 + mm : undefined;
}

/** "hh:mm-hh:mm" (daily) or "ddd:hh:mm-ddd:hh:mm" (weekly). */
export function parseWindow(text: string): TimeWindow | undefined {
    if (typeof text !== "string") {
        return undefined;
    }
    const daily = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
    if (daily) {
        const start = minutesOf(daily[1], daily[2]);
        const end = minutesOf(daily[3], daily[4]);
        return start === undefined || end === undefined ? undefined : { start, end, weekly: false };
    }
    const weekly = /^([a-z]{3}):(\d{2}):(\d{2})-([a-z]{3}):(\d{2}):(\d{2})$/.exec(
        text.toLowerCase(),
    );
    if (weekly) {
        const d1 = DAYS.indexOf(weekly[1]);
        const d2 = DAYS.indexOf(weekly[4]);
        const s = minutesOf(weekly[2], weekly[3]);
        const e = minutesOf(weekly[5], weekly[6]);
        if (d1 < 0 || d2 < 0 || s === undefined || e === undefined) {
            return undefined;
        }
        return { start: d1 * 1440 + s, end: d2 * 1440 + e, weekly: true };
    }
    return undefined;
}

/** Length of a window in minutes (windows may wrap past midnight / the end of the week). */
export function windowMinutes(w: TimeWindow): number {
    const cycle = w.weekly ? 7 * 1440 : 1440;
    return (w.end - w.start + cycle) % cycle;
}

/** Expand a window onto a week of minutes as [start, end) intervals. */
function weeklyIntervals(w: TimeWindow): Array<[number, number]> {
    const week = 7 * 1440;
    const len = windowMinutes(w);
    const starts = w.weekly ? [w.start] : DAYS.map((_, d) => d * 1440 + w.start);
    const out: Array<[number, number]> = [];
    for (const s of starts) {
        const e = s + len;
        if (e <= week) {
            out.push([s, e]);
        } else {
            out.push([s, week], [0, e - week]);
        }
    }
    return out;
}

/** True when two windows (daily or weekly) share any minute. */
export function windowsOverlap(a: TimeWindow, b: TimeWindow): boolean {
    const ia = weeklyIntervals(a);
    const ib = weeklyIntervals(b);
    return ia.some(([s1, e1]) => ib.some(([s2, e2]) => s1 < e2 && s2 < e1));
}

export function checkWindow(
    path: string,
    text: string,
    weekly: boolean,
    minMinutes: number,
    example: string,
): ConfigIssue[] {
    const w = parseWindow(text);
    const format = weekly ? "ddd:hh:mm-ddd:hh:mm (UTC)" : "hh:mm-hh:mm (UTC)";
    if (!w || w.weekly !== weekly) {
        return [issue(path, text, `must be ${format}, e.g. "${example}"`)];
    }
    if (windowMinutes(w) < minMinutes) {
        return [
            issue(path, text, `must be at least ${minMinutes} minutes long, e.g. "${example}"`),
        ];
    }
    if (weekly && windowMinutes(w) > 24 * 60) {
        return [issue(path, text, `must be at most 24 hours long, e.g. "${example}"`)];
    }
    return [];
}
