// The pricing context every pricer writes to: looks prices up, records lines, problems and
// assumptions, and answers graph questions (parents, references) over the plain resources.
import { isUnknownMarker } from "../policies/lib";
import { knownClasses } from "./pricing";
import { CostLine, CostProblem, CostResource, PriceBook, Usage } from "./types";

/** A value unknown until apply (a computed output during preview): the engine's markers, kept in one place. */
export function isUnknown(v: unknown): boolean {
    return isUnknownMarker(v);
}

/** A property value, or undefined when it is not set or unknown until apply. */
export function prop(r: CostResource, key: string): unknown {
    const v = r.props[key];
    return isUnknown(v) ? undefined : v;
}

/** A number from a property (numbers may arrive as strings: task cpu/memory), else `def`. */
export function numProp(r: CostResource, key: string, def: number): number {
    return toNum(prop(r, key), def);
}

export function toNum(v: unknown, def: number): number {
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    return typeof n === "number" && Number.isFinite(n) ? n : def;
}

/** Type tokens that are components (grouping), not priced cloud resources. */
export function isComponentType(type: string): boolean {
    return !type.startsWith("pulumi:") && !/^(aws|cloudflare|random|tls|command|std):/.test(type);
}

export interface LineSpec {
    item: string;
    priceKey: string;
    quantity: number;
    /** Defaults to `quantity` (the resource does not scale). */
    quantityAtMax?: number;
    /** Multiplies the book price (e.g. a spot factor); its key is named in the line. */
    factorKey?: string;
}

export class CostContext {
    readonly lines: CostLine[] = [];
    readonly problems: CostProblem[] = [];
    readonly assumptions = new Set<string>();
    private readonly byUrn: Map<string, CostResource>;

    constructor(
        readonly resources: CostResource[],
        readonly book: PriceBook,
        readonly usage: Usage,
    ) {
        this.byUrn = new Map(resources.map((r) => [r.urn, r]));
    }

    get hours(): number {
        return this.book.hoursPerMonth;
    }

    ofType(...types: string[]): CostResource[] {
        return this.resources.filter((r) => types.includes(r.type));
    }

    /** Name of the nearest enclosing component (the stack itself does not count). */
    componentOf(r: CostResource): string {
        let cur = r.parent ? this.byUrn.get(r.parent) : undefined;
        for (let depth = 0; cur && depth < 100; depth++) {
            if (isComponentType(cur.type)) {
                return cur.name;
            }
            cur = cur.parent ? this.byUrn.get(cur.parent) : undefined;
        }
        return "(stack)";
    }

    /**
     * True if `from` refers to `to` through `key`: a property dependency, or the property's value
     * (or, for a string, its last path segment) equal to one of `to`'s identifying values.
     */
    refersTo(from: CostResource, key: string, to: CostResource, ids: string[]): boolean {
        if ((from.propertyDependencies?.[key] ?? []).includes(to.urn)) {
            return true;
        }
        const v = prop(from, key);
        const values = (Array.isArray(v) ? v : [v]).filter(
            (x): x is string => typeof x === "string" && !isUnknown(x),
        );
        const targets = ids
            .map((k) => prop(to, k))
            .filter((x): x is string => typeof x === "string" && x !== "");
        return values.some((x) =>
            targets.some((t) => x === t || x.endsWith(`/${t}`) || x.endsWith(`:${t}`)),
        );
    }

    /** Price of a key (times its factor), or undefined when the book does not have it. */
    priceOf(key: string, factorKey?: string): number | undefined {
        const base = this.book.prices[key]?.price;
        if (base === undefined) {
            return undefined;
        }
        return factorKey ? base * (this.book.prices[factorKey]?.price ?? 1) : base;
    }

    /** Record a line; a missing price becomes a problem naming the key. */
    line(r: CostResource, spec: LineSpec): void {
        const price = this.priceOf(spec.priceKey, spec.factorKey);
        if (price === undefined) {
            this.problem(
                r,
                `no price "${spec.priceKey}" in policy/pricing/${this.book.region}.json or global.json. Fix: add it (npm run pricing:refresh)`,
            );
            return;
        }
        const quantityAtMax = spec.quantityAtMax ?? spec.quantity;
        this.lines.push({
            resource: r.name,
            type: r.type,
            urn: r.urn,
            component: this.componentOf(r),
            item: spec.item,
            unit: this.book.prices[spec.priceKey].unit,
            quantity: round(spec.quantity, 4),
            quantityAtMax: round(quantityAtMax, 4),
            price,
            monthly: round(spec.quantity * price, 2),
            monthlyAtMax: round(quantityAtMax * price, 2),
            priceKey: spec.factorKey ? `${spec.priceKey}*${spec.factorKey}` : spec.priceKey,
        });
    }

    /**
     * A line priced by a class (instance class, node type): an unknown or unpriced class is a
     * problem that names the property, the class, the classes the region prices, and the fix.
     */
    classLine(
        r: CostResource,
        property: string,
        cls: unknown,
        prefix: string,
        suffix: string,
        spec: Omit<LineSpec, "priceKey">,
    ): void {
        if (typeof cls !== "string" || cls === "") {
            this.problem(
                r,
                `${property} is ${isUnknown(cls) ? "unknown until apply" : "not set"}: cannot price it. Fix: set ${property} to a literal value`,
            );
            return;
        }
        const key = `${prefix}.${cls}.${suffix}`;
        if (this.book.prices[key] === undefined) {
            const known = knownClasses(this.book, prefix, suffix);
            this.problem(
                r,
                `${property} "${cls}" has no price in policy/pricing/${this.book.region}.json (priced: ${known.join(", ")}). ` +
                    `Fix: use a priced ${property}, or add "${key}" to the price file (npm run pricing:refresh)`,
            );
            return;
        }
        this.line(r, { ...spec, priceKey: key });
    }

    problem(r: CostResource, message: string): void {
        this.problems.push({
            resource: r.name,
            type: r.type,
            urn: r.urn,
            message: `${r.type} "${r.name}": ${message}`,
        });
    }

    assume(text: string): void {
        this.assumptions.add(text);
    }
}

export function round(n: number, digits: number): number {
    const f = 10 ** digits;
    return Math.round(n * f) / f;
}
