// @pulumi/random resources: deterministic results. RandomPassword's `result` and `bcryptHash`
// are secret (the SDK marks them through additionalSecretOutputs).
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { CloudContext, MockAnswer, num, plain, str } from "./context";
import { hexId, stableChars, stableUuid } from "./ids";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** A random-provider style string honouring length, character classes and minimums. */
export function randomString(seed: string, inputs: Record<string, unknown>): string {
    const length = num(inputs.length) ?? 16;
    const use = (k: string) => plain(inputs[k]) !== false;
    const special = str(inputs.overrideSpecial) ?? SPECIAL;
    const classes: Array<[string, number]> = [];
    if (use("lower")) classes.push([LOWER, num(inputs.minLower) ?? 0]);
    if (use("upper")) classes.push([UPPER, num(inputs.minUpper) ?? 0]);
    if (use("numeric") && use("number")) classes.push([DIGITS, num(inputs.minNumeric) ?? 0]);
    if (use("special")) classes.push([special, num(inputs.minSpecial) ?? 0]);
    if (classes.length === 0) classes.push([LOWER, 0]);
    let out = "";
    classes.forEach(([alphabet, min], i) => {
        out += stableChars(`${seed}/min/${i}`, min, alphabet);
    });
    const all = classes.map(([a]) => a).join("");
    out += stableChars(`${seed}/rest`, Math.max(0, length - out.length), all);
    return out.slice(0, Math.max(length, out.length));
}

export function randomResource(_ctx: CloudContext, args: MockResourceArgs): MockAnswer | undefined {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const seed = `${args.type}/${args.name}`;
    switch (args.type) {
        case "random:index/randomPassword:RandomPassword": {
            const result = randomString(seed, inputs);
            return {
                id: "none",
                state: {
                    result,
                    bcryptHash: `$2a$10$${stableChars(`${seed}/bcrypt`, 53, "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}`,
                },
            };
        }
        case "random:index/randomString:RandomString": {
            const result = randomString(seed, inputs);
            return { id: result, state: { result } };
        }
        case "random:index/randomId:RandomId": {
            const bytes = num(inputs.byteLength) ?? 8;
            const hex = hexId(seed, bytes * 2);
            const b64Url = Buffer.from(hex, "hex").toString("base64url");
            return {
                id: b64Url,
                state: {
                    hex: `${str(inputs.prefix) ?? ""}${hex}`,
                    b64Url,
                    b64Std: Buffer.from(hex, "hex").toString("base64"),
                    dec: BigInt(`0x${hex}`).toString(),
                },
            };
        }
        case "random:index/randomInteger:RandomInteger": {
            const min = num(inputs.min) ?? 0;
            const max = num(inputs.max) ?? min;
            const result = min + (parseInt(hexId(seed, 8), 16) % (max - min + 1));
            return { id: String(result), state: { result } };
        }
        case "random:index/randomUuid:RandomUuid": {
            const result = stableUuid(seed);
            return { id: result, state: { result } };
        }
        case "random:index/randomPet:RandomPet": {
            const words = ["brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "kind"];
            const animals = [
                "otter",
                "falcon",
                "badger",
                "lynx",
                "heron",
                "panda",
                "gecko",
                "koala",
            ];
            const h = parseInt(hexId(seed, 4), 16);
            const id = `${str(inputs.prefix) ? `${str(inputs.prefix)}-` : ""}${words[h % 8]}${str(inputs.separator) ?? "-"}${animals[(h >> 3) % 8]}`;
            return { id, state: {} };
        }
        default:
            return undefined;
    }
}
