// The portal's web page: static files from portal/web (HTML, CSS, JavaScript modules; no build
// step), read once at startup and served at / and /ui/<file> without authentication (they hold no
// data: everything the page shows comes from the API with the person's credentials). Every file is
// sent with a strict Content-Security-Policy: scripts, styles and connections only from the
// portal itself, no inline script or style, no framing, no plugins.
import * as fs from "fs";
import * as http from "http";
import * as path from "path";

export const CONTENT_SECURITY_POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
};

export interface WebFile {
    type: string;
    body: Buffer;
}

/** The page's files by URL path: "/" for index.html, "/ui/<name>" for the rest. */
export function loadWebFiles(dir: string): Map<string, WebFile> {
    const files = new Map<string, WebFile>();
    for (const name of fs.readdirSync(dir).sort()) {
        const type = TYPES[path.extname(name)];
        const file = path.join(dir, name);
        if (
            type === undefined ||
            !/^[a-z0-9-]+\.[a-z]+$/.test(name) ||
            !fs.statSync(file).isFile()
        ) {
            continue;
        }
        files.set(name === "index.html" ? "/" : `/ui/${name}`, {
            type,
            body: fs.readFileSync(file),
        });
    }
    return files;
}

/** The headers every page file carries. */
export function pageHeaders(type: string, length: number): Record<string, string | number> {
    return {
        "Content-Type": type,
        "Content-Length": length,
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    };
}

/** Serves `pathname` if it is one of the page's files (GET/HEAD); false otherwise. */
export function serveWebFile(
    files: ReadonlyMap<string, WebFile>,
    pathname: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
): boolean {
    const file = files.get(pathname);
    if (file === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
        return false;
    }
    res.writeHead(200, pageHeaders(file.type, file.body.length));
    res.end(req.method === "HEAD" ? undefined : file.body);
    return true;
}
