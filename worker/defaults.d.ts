// Types of worker/defaults.js for the TypeScript program (config/defaults.ts imports it). The
// values live in the .js module only; worker/tsconfig.json checks that module itself.
export interface EdgeDefaults {
    readonly staticExtensions: readonly string[];
    readonly apiPrefix: string;
    readonly healthPath: string;
    readonly htmlEdgeTtl: number;
    readonly assetEdgeTtl: number;
    readonly cacheKeyIgnoredParams: readonly string[];
    readonly hashedAssetPattern: string;
    readonly sessionCookies: readonly string[];
    readonly originTimeout: number;
    readonly staleIfError: number;
    readonly allowedMethods: readonly string[];
    readonly hstsMaxAge: number;
    readonly hstsIncludeSubDomains: boolean;
    readonly hstsPreload: boolean;
}

export declare const EDGE_DEFAULTS: EdgeDefaults;

/** Media types (lower case, no parameters) a response must have to be stored, by extension. */
export declare const STATIC_MEDIA_TYPES: Readonly<Record<string, readonly string[]>>;
