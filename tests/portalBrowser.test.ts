// The portal's web page in a real browser: headless Chromium from Debian (/usr/bin/chromium; `.ci/run`
// installs it when missing) driven by playwright-core, against one real portal on 127.0.0.1 whose
// people sign in with tokens from a real local OIDC issuer (tests/helpers/oidcIssuer.ts) under the
// shipped portal/access.yaml. The plan is the real offline plan; preview and up reach a CLI stub at
// the Automation API boundary (tests/helpers/cliStub.ts: no Pulumi CLI here).
//
// One browser, two people (two browser contexts, each a fresh profile): a developer plans dev
// (a field error next to its field, then a mandatory finding and the cost change), is refused a
// deploy of prod, previews prod; a second person approves the preview, deploys it and watches the
// events; the audit trail shows both. PORTAL_SCREENSHOTS=1 writes docs/images/portal-stack.png and
// docs/images/portal-approval.png.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Browser, BrowserContext, chromium, Page } from "playwright-core";
import { loadAccessPolicy } from "../portal/access/policy";
import { createAutomation } from "../portal/automation";
import { projectCommit } from "../portal/server/review";
import { createPortal, Portal } from "../portal/server/server";
import { cliStub } from "./helpers/cliStub";
import { startOidcIssuer, TestIssuer } from "./helpers/oidcIssuer";
import { testAuthenticator } from "./helpers/portalPeople";
import { ROOT } from "./helpers/stack";
import { tempDir } from "./helpers/tempDir";

// What the callbacks run inside the page use (this project compiles without the DOM library).
declare const document: {
    activeElement: { id: string; getAttribute(name: string): string | null } | null;
};
declare const sessionStorage: { getItem(key: string): string | null };

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = process.env.PORTAL_SCREENSHOTS === "1";
const IMAGES = path.join(ROOT, "docs", "images");
const CF_TOKEN = "cf-browser-test-token-0123456789";

/**
 * A snapshot of the project (as an operation's private copy takes it: no .git, tests, docs; the
 * dependencies linked), so edits to the shared checkout while the test runs cannot change what the
 * portal plans between a preview and its deploy. Always the same path, so the plan's compile cache
 * (keyed by file name and content) serves it from the second run on.
 */
function projectSnapshot(): string {
    // Its own directory: a fixed path would be shared by two runs of the suite on one machine.
    const dir = tempDir("portal-browser-project-");
    const skip = new Set([
        ".git",
        "node_modules",
        "coverage",
        "bin",
        ".pulumi-state",
        "tests",
        "docs",
    ]);
    for (const entry of fs.readdirSync(ROOT).filter((e) => !skip.has(e))) {
        fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), {
            recursive: true,
            filter: (src) => path.basename(src) !== "node_modules",
        });
    }
    for (const sub of [".", "policy"]) {
        fs.symlinkSync(
            path.join(ROOT, sub, "node_modules"),
            path.join(dir, sub, "node_modules"),
            "dir",
        );
    }
    return dir;
}

describe("portal web page in headless Chromium", function () {
    // The offline plans dominate (a few seconds each on an idle machine); allow for a busy one.
    this.timeout(600000);
    let issuer: TestIssuer;
    let portal: Portal;
    let base: string;
    let browser: Browser;
    const stub = cliStub({ delayMs: 50 });
    const began = Date.now();

    before(async function () {
        if (!fs.existsSync(CHROMIUM)) {
            // CI installs it (.ci/run); locally: apt-get install -y chromium
            this.skip();
        }
        issuer = await startOidcIssuer();
        const stateDir = tempDir("portal-browser-");
        const workDir = projectSnapshot();
        portal = createPortal({
            authenticator: testAuthenticator({ issuer: issuer.url }),
            access: loadAccessPolicy(path.join(ROOT, "portal", "access.yaml")),
            // The program's identity: the snapshot is no git checkout, so its content digest.
            commitOf: projectCommit,
            automation: createAutomation({
                workDir,
                env: { PULUMI_CONFIG_PASSPHRASE: "browser-test" },
                stateDir,
                factory: stub.factory,
            }),
            plansDir: path.join(stateDir, "plans"),
        });
        base = `http://127.0.0.1:${(await portal.listen(0, "127.0.0.1")).port}`;
        browser = await chromium.launch({
            executablePath: CHROMIUM,
            // A fresh, empty profile in a temporary directory for each context (Playwright's default).
            args: [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        });
    });

    after(async function () {
        await browser?.close();
        await portal?.shutdown(0);
        await issuer?.close();
        process.stdout.write(
            `        browser test time: ${((Date.now() - began) / 1000).toFixed(1)} s\n`,
        );
    });

    /** A person in their own browser context, signed in through the page's form. */
    async function signIn(
        sub: string,
        name: string,
        groups: string[],
    ): Promise<{ context: BrowserContext; page: Page }> {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        const token = await issuer.sign({ sub, name, groups });
        await page.goto(`${base}/`);
        await page.getByLabel("Access token").fill(token);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("heading", { name: "Stacks", level: 1 }).waitFor();
        assert.match(
            await page.locator("#who-text").innerText(),
            new RegExp(`Signed in as ${name}`),
        );
        assert.ok(!page.url().includes(token), "the token never goes into the URL");
        return { context, page };
    }

    /** Waits for `locator` as long as an operation may take; on failure says what the page showed. */
    async function awaitResult(page: Page, locator: ReturnType<Page["locator"]>): Promise<void> {
        try {
            await locator.waitFor({ timeout: 240000 });
        } catch (e) {
            const shown = await page
                .locator("main")
                .innerText()
                .catch(() => "(no main)");
            throw new Error(`${(e as Error).message}\n--- the page showed:\n${shown.slice(-3000)}`);
        }
    }

    const fieldOf = (page: Page, label: string) =>
        page.locator(".field", { has: page.getByLabel(label, { exact: true }) });

    let developer: Page;
    let previewUrl = "";

    it("serves the page with a strict CSP and no inline script; a wrong token stays on the sign-in form", async function () {
        const res = await fetch(`${base}/`);
        const csp = res.headers.get("content-security-policy") ?? "";
        assert.match(csp, /default-src 'self'/);
        assert.match(csp, /script-src 'self'/);
        assert.ok(!csp.includes("unsafe-inline"));
        const html = await res.text();
        assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), "no inline script");
        const context = await browser.newContext();
        const page = await context.newPage();
        const violations: string[] = [];
        page.on("console", (m) => m.type() === "error" && violations.push(m.text()));
        await page.goto(`${base}/`);
        await page
            .getByLabel("Access token")
            .fill(await issuer.sign({ sub: "x" }, { audience: "another-app" }));
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByText(/The token was refused: the token's aud claim failed/).waitFor();
        assert.equal(await page.getByLabel("Access token").getAttribute("aria-invalid"), "true");
        assert.deepEqual(
            violations.filter((v) => /Content Security Policy/.test(v)),
            [],
        );
        await context.close();
    });

    it("a developer plans dev: a bad value is shown next to its field, a bad override brings a mandatory finding with its fix and the cost change", async function () {
        ({ page: developer } = await signIn("dana", "Dana Developer", ["platform-devs"]));
        const page = developer;
        await page.getByRole("link", { name: "dev", exact: true }).click();
        await page.getByRole("heading", { name: "Stack dev" }).waitFor();
        assert.equal(
            await page.getByRole("button", { name: "Deploy" }).count(),
            1,
            "dev: a developer may deploy",
        );

        const health = page.getByLabel("web-platform:healthCheck", { exact: true });
        const healthy = await health.inputValue();
        await health.fill(healthy.replace(/"interval":\s*\d+/, '"interval":"often"'));
        await page.getByRole("button", { name: "Plan" }).click();
        const healthError = fieldOf(page, "web-platform:healthCheck").locator(".field-error");
        await healthError.filter({ hasText: /interval/ }).waitFor();
        assert.match(await healthError.innerText(), /web-platform:healthCheck\.interval: .*number/);
        assert.equal(await health.getAttribute("aria-invalid"), "true");
        assert.equal(
            await page.evaluate(() => document.activeElement?.getAttribute("name")),
            "web-platform:healthCheck",
            "focus moves to the field",
        );

        await health.fill(healthy);
        const capacity = page.getByLabel("web-platform:capacity", { exact: true });
        await capacity.fill(JSON.stringify({ min: 2, desired: 2, max: 40 }));
        await page.getByRole("button", { name: "Plan" }).click();
        await awaitResult(page, page.getByText(/^Blocked: 1 mandatory finding/));
        assert.equal(
            await health.getAttribute("aria-invalid"),
            null,
            "the fixed field is no longer marked",
        );
        const finding = page.locator(".finding.mandatory[data-policy='cost-budget']");
        assert.match(await finding.locator(".what").innerText(), /exceeds the budget \$250\.00/);
        assert.match(await finding.locator(".fix").innerText(), /^Fix: shrink or remove these/);
        const delta = await page.locator("#cost-delta").innerText();
        assert.match(
            delta,
            /Change against the committed config: ±\$0\.00 a month at desired capacity, \+\$[\d,.]+ at max capacity/,
        );
        assert.ok(
            (await page.locator("#event-log li").count()) > 100,
            "the live log shows the plan's events",
        );
        assert.match(await page.locator("#resources-title").innerText(), /^Resources \(1\d\d\)$/);
        await page.getByText("Show the resource tree").click();
        await page
            .locator(".tree .rname", { hasText: "web-platform-dev-data-primary" })
            .first()
            .waitFor();
        if (SCREENSHOTS) {
            fs.mkdirSync(IMAGES, { recursive: true });
            await page.getByText("Show the resource tree").click();
            await page.screenshot({ path: path.join(IMAGES, "portal-stack.png"), fullPage: true });
        }
    });

    it("the developer is refused a deploy of prod (no button, and the API answers 403), then previews prod for approval", async function () {
        const page = developer;
        await page.goto(`${base}/#/stacks/prod`);
        await page.getByRole("heading", { name: "Stack prod" }).waitFor();
        assert.equal(
            await page.getByRole("button", { name: /Deploy/ }).count(),
            0,
            "no deploy button for the developer",
        );
        const refused = await page.evaluate(async () => {
            const res = await fetch("/stacks/prod/up", {
                method: "POST",
                headers: { Authorization: `Bearer ${sessionStorage.getItem("portal.token")}` },
            });
            return { status: res.status, body: (await res.json()) as { message: string } };
        });
        assert.equal(refused.status, 403);
        assert.match(
            refused.body.message,
            /^dana may not up on prod: no grant allows up on prod for groups platform-devs/,
        );

        await page.getByLabel("cloudflare:apiToken (secret)").fill(CF_TOKEN);
        await page.getByLabel("Update message (preview and deploy)").fill("release 1.4");
        await page.getByRole("button", { name: "Preview for approval" }).click();
        const link = page.getByRole("link", { name: "Open it for approval" });
        await awaitResult(page, link);
        previewUrl = (await link.getAttribute("href")) ?? "";
        assert.match(previewUrl, /^#\/stacks\/prod\/previews\/[0-9a-f-]{36}$/);
        const preview = stub.calls.find((c) => c.method === "preview" && c.stack === "prod");
        assert.ok(preview && typeof preview.options.plan === "string", "preview --save-plan");
        assert.ok(!(await page.content()).includes(CF_TOKEN), "the secret is not shown back");
    });

    it("a second person approves the preview, deploys exactly it and watches the events", async function () {
        const { page } = await signIn("lena", "Lena Lead", ["platform-leads", "deployers"]);
        await page.goto(`${base}/${previewUrl}`);
        await page.getByRole("heading", { name: "Approve preview of prod" }).waitFor();
        assert.equal(await page.locator("#preview-state").innerText(), "awaiting approval");
        await page.getByText("Previewed by").waitFor();
        if (SCREENSHOTS) {
            await page.screenshot({
                path: path.join(IMAGES, "portal-approval.png"),
                fullPage: true,
            });
        }
        await page.getByRole("button", { name: "Approve this preview" }).click();
        await page.getByText(/^Approved\. A person allowed to deploy/).waitFor();
        assert.equal(await page.locator("#preview-state").innerText(), "approved");
        assert.equal(await page.evaluate(() => document.activeElement?.id), "approve-status");

        await page.goto(`${base}/#/stacks/prod`);
        await page.getByRole("heading", { name: "Stack prod" }).waitFor();
        await page.getByLabel("cloudflare:apiToken (secret)").fill(CF_TOKEN);
        await page.getByLabel("Update message (preview and deploy)").fill("release 1.4");
        await page.getByRole("button", { name: "Deploy approved preview" }).click();
        await awaitResult(
            page,
            page.getByText(
                /^Deployed under the approval of preview [0-9a-f-]+ by dana, approved by lena\./,
            ),
        );
        const log = await page.locator("#event-log").innerText();
        assert.match(log, /up on prod: running/);
        assert.match(log, /done update aws:lb\/loadBalancer:LoadBalancer web-platform-prod-alb/);
        assert.match(log, /finished: succeeded/);
        const saved = stub.calls.find((c) => c.method === "preview" && c.stack === "prod")!.options
            .plan;
        const up = stub.calls.find((c) => c.method === "up" && c.stack === "prod");
        assert.equal(
            up?.options.plan,
            saved,
            "up --plan applies the approved preview's saved plan",
        );

        // The audit trail shows both people.
        await page.getByRole("link", { name: "Audit trail" }).click();
        await page.getByRole("heading", { name: "Audit trail" }).waitFor();
        const rows = await page.locator("#audit tbody tr").allInnerTexts();
        assert.ok(
            rows.some((r) => /dana \(platform-devs\)\tpreview\tprod\tallow\tstarted/.test(r)),
            rows.join("\n"),
        );
        assert.ok(rows.some((r) => /dana \(platform-devs\)\tup\tprod\tdeny/.test(r)));
        assert.ok(
            rows.some((r) =>
                /lena \(platform-leads, deployers\)\tapprove\tprod\tallow\tapproved/.test(r),
            ),
        );
        assert.ok(
            rows.some((r) =>
                /lena .*\tup\tprod\tallow\tstarted\tpreview by dana, approved by lena/.test(r),
            ),
        );
        assert.ok(!rows.join("\n").includes(CF_TOKEN));
    });
});
