// The portal's one reader of a whole number from its environment (ports, caps, retention), so every
// setting refuses the same careless values the same way, naming the variable, its range and its
// default.

export interface IntSetting {
    /** The value when the variable is unset or blank. */
    default: number;
    min: number;
    max: number;
    /** What one unit is, for the message: "hours" reads "a whole number of hours". */
    unit?: string;
}

/**
 * `env[name]` as a whole number within [min, max]; unset or blank gives the default. Only decimal
 * digits are read, with an optional minus sign and surrounding spaces: "8080" but not "0x1F90",
 * "8e3" or "80.0", which Number() would turn into a port without a word. `refuse` makes the error
 * (each settings module has its own class).
 */
export function intFromEnv(
    env: NodeJS.ProcessEnv,
    name: string,
    setting: IntSetting,
    refuse: (message: string) => Error,
): number {
    const text = env[name]?.trim() ?? "";
    if (text === "") {
        return setting.default;
    }
    const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < setting.min || n > setting.max) {
        const what = setting.unit ? `a whole number of ${setting.unit}` : "an integer";
        throw refuse(
            `${name} must be ${what} from ${setting.min} to ${setting.max} (got ${JSON.stringify(text)}; default ${setting.default})`,
        );
    }
    return n;
}
