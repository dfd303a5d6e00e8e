// The plan as a graph: DOT or Mermaid, every resource under its parent with dashed arrows to what
// it depends on, or only the components (the architecture picture). Scrubbed of every known secret.
import { PlanResult } from "./run";
import { scrub } from "./secrets";

export type GraphFormat = "dot" | "mermaid";

export interface GraphOptions {
    /** Only components (the architecture picture); resources are counted inside them. */
    componentsOnly?: boolean;
}

interface GraphModel {
    nodes: Array<{ id: string; label: string; component: boolean; type: string }>;
    parentEdges: Array<[string, string]>;
    dependencyEdges: Array<[string, string]>;
}

/** Nodes and edges: parent -> child (hierarchy) and resource -> what it depends on (dashed). */
export function graphModel(r: PlanResult, opts: GraphOptions = {}): GraphModel {
    if (opts.componentsOnly) {
        return componentModel(r);
    }
    const ids = new Map(r.resources.map((res, i) => [res.urn, `n${i}`]));
    const nodes = r.resources.map((res) => ({
        id: ids.get(res.urn)!,
        label: `${res.name}\n${res.type}`,
        component: !res.custom,
        type: res.type,
    }));
    const parentEdges: Array<[string, string]> = [];
    const dependencyEdges: Array<[string, string]> = [];
    const seen = new Set<string>();
    for (const res of r.resources) {
        const id = ids.get(res.urn)!;
        const parentId = ids.get(res.parent);
        if (parentId) {
            parentEdges.push([parentId, id]);
        }
        const deps = new Set([
            ...res.dependencies,
            ...Object.values(res.propertyDependencies).flat(),
        ]);
        for (const dep of deps) {
            const depId = ids.get(dep);
            const key = `${id}>${depId}`;
            if (depId && depId !== parentId && depId !== id && !seen.has(key)) {
                seen.add(key);
                dependencyEdges.push([id, depId]);
            }
        }
    }
    return { nodes, parentEdges, dependencyEdges };
}

/**
 * The architecture view: only components (and the stack), each labelled with how many resources it
 * holds; a dependency between resources becomes one between their nearest component ancestors.
 */
function componentModel(r: PlanResult): GraphModel {
    const byUrn = new Map(r.resources.map((res) => [res.urn, res]));
    const ownerOf = (urn: string): string | undefined => {
        let cur = byUrn.get(urn);
        while (cur && cur.custom) {
            cur = byUrn.get(cur.parent);
        }
        return cur?.urn;
    };
    const components = r.resources.filter((res) => !res.custom);
    const ids = new Map(components.map((res, i) => [res.urn, `n${i}`]));
    const counts = new Map<string, number>();
    for (const res of r.resources) {
        const owner = res.custom ? ownerOf(res.urn) : undefined;
        if (owner) {
            counts.set(owner, (counts.get(owner) ?? 0) + 1);
        }
    }
    const ancestors = (urn: string): Set<string> => {
        const out = new Set<string>();
        let cur = byUrn.get(byUrn.get(urn)?.parent ?? "");
        while (cur) {
            out.add(cur.urn);
            cur = byUrn.get(cur.parent);
        }
        return out;
    };
    const nodes = components.map((res) => {
        const n = counts.get(res.urn) ?? 0;
        return {
            id: ids.get(res.urn)!,
            label: `${res.name}\n${res.type}${n ? `\n${n} resource${n === 1 ? "" : "s"}` : ""}`,
            component: true,
            type: res.type,
        };
    });
    const parentEdges: Array<[string, string]> = [];
    for (const res of components) {
        const parent = ownerOf(res.parent);
        if (parent && ids.has(parent)) {
            parentEdges.push([ids.get(parent)!, ids.get(res.urn)!]);
        }
    }
    const seen = new Set<string>();
    const dependencyEdges: Array<[string, string]> = [];
    for (const res of r.resources) {
        const from = res.custom ? ownerOf(res.urn) : res.urn;
        if (!from) {
            continue;
        }
        const up = ancestors(from);
        for (const dep of new Set([
            ...res.dependencies,
            ...Object.values(res.propertyDependencies).flat(),
        ])) {
            const to = byUrn.get(dep)?.custom ? ownerOf(dep) : dep;
            if (!to || to === from || up.has(to) || ancestors(to).has(from) || !ids.has(to)) {
                continue;
            }
            const key = `${from}>${to}`;
            if (!seen.has(key)) {
                seen.add(key);
                dependencyEdges.push([ids.get(from)!, ids.get(to)!]);
            }
        }
    }
    return { nodes, parentEdges, dependencyEdges };
}

const dotEscape = (s: string) =>
    s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const mermaidEscape = (s: string) => s.replace(/"/g, "#quot;").replace(/\n/g, "<br/>");

export function renderGraph(r: PlanResult, format: GraphFormat, opts: GraphOptions = {}): string {
    const g = graphModel(r, opts);
    const lines: string[] = [];
    if (format === "dot") {
        lines.push(`digraph "${dotEscape(`${r.project}-${r.stack}`)}" {`);
        lines.push('    rankdir="LR";');
        lines.push('    node [shape="box", fontname="Helvetica", fontsize="10"];');
        lines.push('    edge [fontname="Helvetica", fontsize="8"];');
        for (const n of g.nodes) {
            const style = n.component ? ', style="rounded,filled", fillcolor="#e8f0fe"' : "";
            lines.push(`    ${n.id} [label="${dotEscape(n.label)}"${style}];`);
        }
        for (const [a, b] of g.parentEdges) {
            lines.push(`    ${a} -> ${b};`);
        }
        for (const [a, b] of g.dependencyEdges) {
            lines.push(`    ${a} -> ${b} [style="dashed", color="#888888"];`);
        }
        lines.push("}");
    } else {
        lines.push("flowchart LR");
        lines.push("    classDef component fill:#e8f0fe,stroke:#4a6fa5;");
        for (const n of g.nodes) {
            const shape = n.component ? [`(["`, `"])`] : [`["`, `"]`];
            lines.push(`    ${n.id}${shape[0]}${mermaidEscape(n.label)}${shape[1]}`);
        }
        for (const [a, b] of g.parentEdges) {
            lines.push(`    ${a} --> ${b}`);
        }
        for (const [a, b] of g.dependencyEdges) {
            lines.push(`    ${a} -.-> ${b}`);
        }
        const components = g.nodes.filter((n) => n.component).map((n) => n.id);
        if (components.length > 0) {
            lines.push(`    class ${components.join(",")} component;`);
        }
    }
    return scrub(`${lines.join("\n")}\n`, r.secretValues);
}
