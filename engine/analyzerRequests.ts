// What the engine sends an analyzer for one resource: AnalyzeRequest (Analyze and Remediate) and
// AnalyzerResource (AnalyzeStack), built as pkg/resource/plugin/analyzer_plugin.go builds them, the
// properties marshaled by ./marshal with the call's options.
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as anproto from "@pulumi/pulumi/proto/analyzer_pb";
import { ANALYZE, marshalProperties, MarshalOptions } from "./marshal";

/**
 * One resource as the engine sends it to an analyzer. Properties are wire values as the program
 * sent them (references, secrets, unknowns, internal keys): they are marshaled on the way out.
 */
export interface AnalyzerResourceInput {
    urn: string;
    type: string;
    name: string;
    properties: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    options?: {
        protect?: boolean;
        ignoreChanges?: string[];
        deleteBeforeReplace?: boolean;
        additionalSecretOutputs?: string[];
        aliases?: string[];
        /** Seconds. */
        customTimeouts?: { create?: number; update?: number; delete?: number; read?: number };
    };
    provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
}

export function struct(v: Record<string, unknown>): structproto.Struct {
    return structproto.Struct.fromJavaScript(
        JSON.parse(JSON.stringify(v)) as Record<string, structproto.JavaScriptValue>,
    );
}

/** marshalResourceOptions: every field set, custom timeouts included (zero when none). */
function resourceOptions(r: AnalyzerResourceInput): anproto.AnalyzerResourceOptions {
    const o = r.options ?? {};
    const t = o.customTimeouts ?? {};
    return new anproto.AnalyzerResourceOptions()
        .setProtect(o.protect ?? false)
        .setIgnorechangesList(o.ignoreChanges ?? [])
        .setDeletebeforereplace(o.deleteBeforeReplace ?? false)
        .setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined)
        .setAdditionalsecretoutputsList(o.additionalSecretOutputs ?? [])
        .setAliasesList(o.aliases ?? [])
        .setCustomtimeouts(
            new anproto.AnalyzerResourceOptions.CustomTimeouts()
                .setCreate(t.create ?? 0)
                .setUpdate(t.update ?? 0)
                .setDelete(t.delete ?? 0)
                .setRead(t.read ?? 0),
        )
        .setParent(r.parent ?? "");
}

/** marshalProvider: the provider's properties marshaled as Analyze's (internal keys skipped). */
function providerResource(
    p: NonNullable<AnalyzerResourceInput["provider"]>,
): anproto.AnalyzerProviderResource {
    return new anproto.AnalyzerProviderResource()
        .setUrn(p.urn)
        .setType(p.type)
        .setName(p.name)
        .setProperties(struct(marshalProperties(p.properties, ANALYZE)));
}

/** An Analyze or Remediate request (the same message, marshaled with the call's options). */
export function analyzeRequest(
    r: AnalyzerResourceInput,
    opts: MarshalOptions,
): anproto.AnalyzeRequest {
    const req = new anproto.AnalyzeRequest()
        .setUrn(r.urn)
        .setType(r.type)
        .setName(r.name)
        .setProperties(struct(marshalProperties(r.properties, opts)))
        .setOptions(resourceOptions(r));
    if (r.provider) {
        req.setProvider(providerResource(r.provider));
    }
    return req;
}

/** One resource of an AnalyzeStack request: only the properties that have dependencies list them. */
export function stackResource(r: AnalyzerResourceInput): anproto.AnalyzerResource {
    const res = new anproto.AnalyzerResource()
        .setUrn(r.urn)
        .setType(r.type)
        .setName(r.name)
        .setProperties(struct(marshalProperties(r.properties, ANALYZE)))
        .setOptions(resourceOptions(r))
        .setParent(r.parent ?? "")
        .setDependenciesList(r.dependencies ?? []);
    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
        if (urns.length > 0) {
            res.getPropertydependenciesMap().set(
                k,
                new anproto.AnalyzerPropertyDependencies().setUrnsList(urns),
            );
        }
    }
    if (r.provider) {
        res.setProvider(providerResource(r.provider));
    }
    return res;
}
