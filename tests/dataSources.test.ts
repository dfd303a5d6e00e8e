// Data sources answered by shape: every data source of @pulumi/aws, @pulumi/cloudflare and
// @pulumi/random gets an answer whose fields follow its result type; programs nobody here wrote
// (the default VPC, a pinned lookup) plan through the real CLI; --mocks pins answers.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { createMockCloud } from "../engine/mockCloud";
import { answerCall, cloudContext } from "../engine/cloud";
import { shapeAnswer } from "../engine/cloud/shapes";
import {
    FunctionShape,
    functionShape,
    providerPackage,
    readShapes,
    shapeLookup,
    ShapeTable,
    ShapeType,
} from "../engine/cloud/shapeSchema";
import { readMocks, validateMocks } from "../engine/mocks";
import { PlanJson } from "../engine/render";
import { PlanInputError } from "../engine/run";
import { runCli } from "./helpers/planCli";
import { closeTestPlanner } from "./helpers/planner";
import { tempDir } from "./helpers/tempDir";

const ROOT = path.resolve(__dirname, "..");
const PROGRAMS = path.join("tests", "fixtures", "programs");
const PROD_POLICY = path.join("policy", "config", "prod.json");
const ACCOUNT = "123456789012";
const HEX17 = /^[0-9a-f]{17}$/;

// The CLI in-process with this file's warm planner; a few tests run it as a real process (planCli).
const plan = runCli;

after(closeTestPlanner);

const tables = new Map<string, ShapeTable>();
/** The package's table read from its declarations (once per test run). */
function table(pkg: string): ShapeTable {
    if (!tables.has(pkg)) {
        tables.set(pkg, readShapes(providerPackage(pkg, [ROOT])!));
    }
    return tables.get(pkg)!;
}

function shapeOf(token: string): FunctionShape {
    const shape = functionShape(table(token.split(":")[0]), token);
    assert.ok(shape, `no shape for ${token}`);
    return shape;
}

const ctx = cloudContext({ region: "eu-west-1", accountId: ACCOUNT });
const answer = (token: string, args: Record<string, unknown> = {}) =>
    shapeAnswer(ctx, shapeOf(token), token, args);

/** Does `value` have the shape `t` (every required field present, of its type)? Returns problems. */
function conforms(value: unknown, t: ShapeType, shape: FunctionShape, at: string): string[] {
    if (t === "a") return [];
    if (t === "s") return typeof value === "string" ? [] : [`${at}: not a string`];
    if (t === "n") return typeof value === "number" ? [] : [`${at}: not a number`];
    if (t === "b") return typeof value === "boolean" ? [] : [`${at}: not a boolean`];
    switch (t[0]) {
        case "L":
            return value === t[1] ? [] : [`${at}: not ${JSON.stringify(t[1])}`];
        case "A":
            return Array.isArray(value)
                ? value.flatMap((v, i) => conforms(v, t[1], shape, `${at}[${i}]`))
                : [`${at}: not a list`];
        case "M":
            return value && typeof value === "object" ? [] : [`${at}: not a map`];
        case "R":
        case "O": {
            if (!value || typeof value !== "object" || Array.isArray(value)) {
                return [`${at}: not an object`];
            }
            const fields = t[0] === "R" ? (shape.types[t[1]] ?? {}) : t[1];
            return Object.entries(fields).flatMap(([k, ft]) => {
                const v = (value as Record<string, unknown>)[k.replace(/\?$/, "")];
                if (v === undefined) {
                    return k.endsWith("?") ? [] : [`${at}.${k}: missing`];
                }
                return conforms(v, ft, shape, `${at}.${k.replace(/\?$/, "")}`);
            });
        }
    }
    return [`${at}: unknown type`];
}

describe("data sources by shape: the result types", function () {
    this.timeout(120_000);

    it("maps every invoke token of aws, cloudflare and random to its result interface", () => {
        const aws = table("aws");
        const cloudflare = table("cloudflare");
        // As many as the SDKs' runtime.invoke calls (one data source per module).
        assert.ok(Object.keys(aws.functions).length > 600, "aws data sources");
        assert.ok(Object.keys(cloudflare.functions).length > 400, "cloudflare data sources");
        // @pulumi/random has resources only: no data source to answer.
        assert.deepEqual(table("random").functions, {});
        assert.deepEqual(Object.keys(aws.functions["aws:ec2/getVpc:getVpc"]).slice(0, 3), [
            "arn",
            "cidrBlock",
            "cidrBlockAssociations",
        ]);
        assert.deepEqual(aws.functions["aws:ec2/getVpc:getVpc"].cidrBlockAssociations, [
            "A",
            ["R", "ec2.GetVpcCidrBlockAssociation"],
        ]);
        assert.deepEqual(aws.types["ec2.GetVpcCidrBlockAssociation"], {
            associationId: "s",
            cidrBlock: "s",
            state: "s",
        });
        assert.deepEqual(aws.functions["aws:ec2/getVpc:getVpc"].tags, ["M", "s"]);
        assert.ok("filters?" in aws.functions["aws:ec2/getVpc:getVpc"], "optional fields marked");
    });

    it("answers every data source of the three packages with a well-formed result", () => {
        for (const pkg of ["aws", "cloudflare", "random"]) {
            for (const token of Object.keys(table(pkg).functions)) {
                const shape = shapeOf(token);
                const problems = conforms(answer(token), ["O", shape.fields], shape, token);
                assert.deepEqual(problems.slice(0, 5), [], token);
            }
        }
    });

    it("reads each data source from the module its token names: the whole table's shape, for every data source of aws and cloudflare", () => {
        for (const pkg of ["aws", "cloudflare"]) {
            const cacheDir = tempDir("shapes-");
            const info = providerPackage(pkg, [ROOT])!;
            const lookup = shapeLookup(info, cacheDir);
            for (const token of Object.keys(table(pkg).functions)) {
                assert.deepEqual(lookup(token), functionShape(table(pkg), token), token);
            }
            const dir = path.join(cacheDir, "shapes", `${pkg}@${info.version}.v1`);
            assert.ok(
                !fs.existsSync(path.join(dir, "index.json")),
                `${pkg}: no data source needed the whole package read`,
            );
        }
    });

    it("caches each data source it reads in a file of its own, written aside and renamed, and reads it back", () => {
        const cacheDir = tempDir("shapes-");
        const info = providerPackage("cloudflare", [ROOT])!;
        const token = "cloudflare:index/getZone:getZone";
        const shape = shapeLookup(info, cacheDir)(token);
        assert.ok(shape);
        const dir = path.join(cacheDir, "shapes", `cloudflare@${info.version}.v1`);
        const file = path.join(dir, `${encodeURIComponent(token)}.json`);
        assert.deepEqual(
            fs.readdirSync(dir),
            [path.basename(file)],
            "only the data source asked for, and no temporary file left behind",
        );
        // A new lookup answers from the file: what the file says is what it gives.
        const marked = { ...shape, fields: { ...shape.fields, fromTheFile: "s" as ShapeType } };
        fs.writeFileSync(file, JSON.stringify(marked));
        const started = process.hrtime.bigint();
        assert.deepEqual(shapeLookup(info, cacheDir)(token), marked);
        assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 100, "a cached read is fast");
    });

    it("reads the whole package once for a token its module does not make, then knows every data source from the cache", () => {
        const cacheDir = tempDir("shapes-");
        const info = providerPackage("cloudflare", [ROOT])!;
        assert.equal(
            shapeLookup(info, cacheDir)("cloudflare:index/getNothing:getNothing"),
            undefined,
        );
        const dir = path.join(cacheDir, "shapes", `cloudflare@${info.version}.v1`);
        const tokens = Object.keys(table("cloudflare").functions);
        assert.equal(fs.readdirSync(dir).length, tokens.length + 1, "a file each and index.json");
        const again = shapeLookup(info, cacheDir);
        assert.deepEqual(again(tokens[0]), functionShape(table("cloudflare"), tokens[0]));
        assert.equal(again("cloudflare:index/getNothing:getNothing"), undefined);
        assert.equal(
            again("cloudflare:../../../etc/passwd:x"),
            undefined,
            "a token cannot name a file outside the package",
        );
    });
});

describe("data sources by shape: the values", () => {
    it("getVpc({ default: true }): vpc- id, the stack's region and account, default echoed", () => {
        const vpc = answer("aws:ec2/getVpc:getVpc", { default: true });
        assert.match(String(vpc.id), /^vpc-[0-9a-f]{17}$/);
        assert.equal(vpc.default, true);
        assert.equal(vpc.arn, `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc/${vpc.id}`);
        assert.equal(vpc.cidrBlock, "172.31.0.0/16");
        assert.equal(vpc.region, "eu-west-1");
        assert.equal(vpc.ownerId, ACCOUNT);
        assert.deepEqual(vpc.tags, {});
        assert.match(String(vpc.mainRouteTableId), /^rtb-[0-9a-f]{17}$/);
        assert.match(String(vpc.dhcpOptionsId), /^dopt-[0-9a-f]{17}$/);
        assert.equal(vpc.enableDnsSupport, true);
        const [assoc] = vpc.cidrBlockAssociations as Array<Record<string, unknown>>;
        assert.match(String(assoc.associationId), /^vpc-cidr-assoc-[0-9a-f]{17}$/);
        assert.equal(vpc.filters, undefined, "an optional field the call did not give is left out");
        // Deterministic: the same call, the same answer; another call, other ids.
        assert.deepEqual(answer("aws:ec2/getVpc:getVpc", { default: true }), vpc);
        assert.notEqual(answer("aws:ec2/getVpc:getVpc", { id: "vpc-0a1b" }).arn, vpc.arn);
        assert.equal(answer("aws:ec2/getVpc:getVpc", { id: "vpc-0a1b" }).id, "vpc-0a1b");
    });

    it("getSubnets: one subnet- id, the filters echoed, the region as the lookup's id", () => {
        const filters = [{ name: "vpc-id", values: ["vpc-0a1b"] }];
        const subnets = answer("aws:ec2/getSubnets:getSubnets", { filters });
        assert.equal((subnets.ids as string[]).length, 1);
        assert.match((subnets.ids as string[])[0], /^subnet-[0-9a-f]{17}$/);
        assert.deepEqual(subnets.filters, filters);
        assert.equal(subnets.id, "eu-west-1");
        const subnet = answer("aws:ec2/getSubnet:getSubnet", { vpcId: "vpc-0a1b" });
        assert.equal(subnet.vpcId, "vpc-0a1b");
        assert.equal(subnet.availabilityZone, "eu-west-1a");
        assert.equal(subnet.availabilityZoneId, "euw1-az1");
        assert.equal(subnet.cidrBlock, "172.31.0.0/20");
    });

    it("getAmi: an ami- id and image ARN by shape; the mock cloud's own answer is complete", () => {
        const ami = answer("aws:ec2/getAmi:getAmi", { mostRecent: true, owners: ["amazon"] });
        assert.match(String(ami.id), /^ami-[0-9a-f]{17}$/);
        assert.equal(ami.arn, `arn:aws:ec2:eu-west-1:${ACCOUNT}:image/${ami.id}`);
        assert.equal(ami.mostRecent, true);
        assert.deepEqual(ami.owners, ["amazon"]);
        // The hand-written answer (an Amazon-owned image) wins and lacks no field of the result.
        const cloud = createMockCloud({ region: "eu-west-1" });
        const own = cloud.call({ token: "aws:ec2/getAmi:getAmi", inputs: { mostRecent: true } })!;
        assert.equal(own.ownerId, "137112412989");
        assert.equal(own.architecture, "x86_64");
        assert.deepEqual(cloud.invented(), []);
        const shape = shapeOf("aws:ec2/getAmi:getAmi");
        assert.deepEqual(conforms(own, ["O", shape.fields], shape, "getAmi"), []);
    });

    it("getCallerIdentity: the stack's account and an sts ARN", () => {
        const me = answer("aws:index/getCallerIdentity:getCallerIdentity");
        assert.equal(me.accountId, ACCOUNT);
        assert.match(String(me.arn), new RegExp(`^arn:aws:sts::?(eu-west-1:)?${ACCOUNT}:`));
        assert.match(String(me.id), /./);
    });

    it("cloudflare getZone: 32-hex ids, an active zone, Cloudflare name servers", () => {
        const zone = answer("cloudflare:index/getZone:getZone", {
            filter: { name: "example.com" },
        });
        assert.match(String(zone.id), /^[0-9a-f]{32}$/);
        assert.match(String((zone.account as Record<string, unknown>).id), /^[0-9a-f]{32}$/);
        assert.equal(zone.status, "active");
        assert.deepEqual(zone.filter, { name: "example.com" });
        assert.match((zone.nameServers as string[])[0], /\.ns\.cloudflare\.com$/);
    });

    it("IAM and SSM lookups by name use the name as id and in the ARN", () => {
        const role = answer("aws:iam/getRole:getRole", { name: "deployer" });
        assert.equal(role.id, "deployer");
        assert.equal(role.arn, `arn:aws:iam::${ACCOUNT}:role/deployer`);
        const param = answer("aws:ssm/getParameter:getParameter", { name: "/team/db-host" });
        assert.equal(param.arn, `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/team/db-host`);
    });
});

describe("data sources by shape: the mock cloud", () => {
    it("invents what nothing answers and lists it once; hand-written answers are not listed", () => {
        const cloud = createMockCloud({ region: "eu-west-1", accountId: ACCOUNT });
        const call = (token: string, inputs: Record<string, unknown> = {}) =>
            cloud.call({ token, inputs, provider: "" });
        assert.match(String(call("aws:ec2/getVpc:getVpc", { default: true })!.id), /^vpc-/);
        call("aws:ec2/getVpc:getVpc", { default: true });
        assert.equal(call("aws:index/getRegion:getRegion")!.name, "eu-west-1");
        // A team's own parameter: unknowable offline, so made up (and listed).
        assert.match(
            String(call("aws:ssm/getParameter:getParameter", { name: "/t/x" })!.value),
            /./,
        );
        // Not a provider package's data source: nothing answers it.
        assert.equal(call("acme:index/getThing:getThing"), undefined);
        assert.deepEqual(cloud.invented(), [
            { token: "aws:ec2/getVpc:getVpc" },
            { token: "aws:ssm/getParameter:getParameter" },
        ]);
        // The hand-written answer still answers as before.
        assert.equal(
            answerCall(ctx, "aws:ssm/getParameter:getParameter", { name: "/t/x" }),
            undefined,
        );
    });

    it("takes pinned answers as given: an invoke's result replaces, a resource's outputs merge", () => {
        const cloud = createMockCloud({
            region: "eu-west-1",
            mocks: {
                invokes: { "aws:ec2/getVpc:getVpc": { id: "vpc-123", cidrBlock: "10.9.0.0/16" } },
                resources: { "aws:s3/bucket:Bucket": { bucket: "pinned", id: "pinned" } },
            },
        });
        assert.deepEqual(cloud.call({ token: "aws:ec2/getVpc:getVpc", inputs: {} }), {
            id: "vpc-123",
            cidrBlock: "10.9.0.0/16",
        });
        const bucket = cloud.newResource({
            type: "aws:s3/bucket:Bucket",
            name: "b",
            inputs: {},
            custom: true,
        });
        assert.equal(bucket.id, "pinned");
        assert.equal(bucket.state.bucket, "pinned");
        assert.match(
            String(bucket.state.arn),
            /^arn:aws:s3:::/,
            "the mock cloud's other outputs stay",
        );
        assert.deepEqual(cloud.invented(), []);
        assert.deepEqual(cloud.pinsUsed(), {
            invokes: ["aws:ec2/getVpc:getVpc"],
            resources: ["aws:s3/bucket:Bucket"],
        });
    });

    it("checks a mocks document strictly, naming the path and the key", () => {
        const bad: Array<[unknown, RegExp]> = [
            [{ invoke: {} }, /unknown key "invoke"/],
            [{ invokes: [] }, /invokes: expected an object .* \(got a list\)/],
            [
                { invokes: { "aws:ec2/getVpc:getVpc": "vpc-1" } },
                /invokes\."aws:ec2\/getVpc:getVpc": expected an object of result fields \(got a string\)/,
            ],
            [{ resources: { Bucket: {} } }, /resources\."Bucket": not a Pulumi resource type/],
            ["text", /expected an object/],
        ];
        for (const [doc, message] of bad) {
            assert.throws(
                () => validateMocks(doc, "m.yaml"),
                (e: Error) =>
                    e instanceof PlanInputError &&
                    /^--mocks m\.yaml: /.test(e.message) &&
                    message.test(e.message),
                JSON.stringify(doc),
            );
        }
        assert.deepEqual(validateMocks({ invokes: { "a:b:c": { x: 1 } } }, "m.yaml"), {
            invokes: { "a:b:c": { x: 1 } },
            resources: {},
        });
        // JSON is read as well as YAML; an object given to the API is checked the same way.
        const file = path.join(tempDir("mocks-"), "m.json");
        fs.writeFileSync(
            file,
            JSON.stringify({ resources: { "aws:s3/bucket:Bucket": { bucket: "b" } } }),
        );
        assert.deepEqual(readMocks({ mocksFile: file })?.resources, {
            "aws:s3/bucket:Bucket": { bucket: "b" },
        });
        assert.throws(
            () => readMocks({ mocks: { invokes: { "aws:ec2/getVpc:getVpc": [] } } as never }),
            /--mocks \(given as an object\): invokes\."aws:ec2\/getVpc:getVpc": expected an object .* \(got a list\)/,
        );
    });
});

describe("data sources by shape: programs nobody here wrote", function () {
    this.timeout(180_000);

    it("plans the default VPC, its subnets and an AMI: the ids flow into the instance", async () => {
        const r = await plan(
            "--program",
            path.join(PROGRAMS, "default-vpc"),
            "--policy-pack-config",
            PROD_POLICY,
            "--json",
        );
        assert.ok(r.code === 0 || r.code === 1, r.stderr);
        const doc = JSON.parse(r.stdout) as PlanJson;
        assert.equal(doc.error, null, "the program ran to its end");
        assert.equal(doc.policyPack.evaluated, true);
        assert.deepEqual(doc.inventedDataSources, [
            { token: "aws:ec2/getVpc:getVpc" },
            { token: "aws:ec2/getSubnets:getSubnets" },
        ]);
        assert.deepEqual(doc.unansweredDataSources, []);
        assert.equal(doc.summary.invented, 2);
        const instance = doc.steps.find((s) => s.type === "aws:ec2/instance:Instance")!;
        const sg = doc.steps.find((s) => s.type === "aws:ec2/securityGroup:SecurityGroup")!;
        assert.match(String(instance.inputs.subnetId), /^subnet-[0-9a-f]{17}$/);
        assert.match(String(instance.inputs.ami), /^ami-[0-9a-f]{17}$/);
        assert.match(String(sg.inputs.vpcId), /^vpc-[0-9a-f]{17}$/);
        assert.ok(HEX17.test(String(sg.inputs.vpcId).slice(4)));
        assert.equal(doc.outputs.vpcId, sg.inputs.vpcId);
        assert.deepEqual(doc.outputs.subnetIds, [instance.inputs.subnetId]);
        assert.deepEqual((sg.inputs.ingress as Array<{ cidrBlocks: string[] }>)[0].cidrBlocks, [
            "172.31.0.0/16",
        ]);
    });

    it("lists the invented answers in the text and in the summary line", async () => {
        const r = await plan(
            "--program",
            path.join(PROGRAMS, "default-vpc"),
            "--policy-pack-config",
            PROD_POLICY,
        );
        assert.match(
            r.stdout,
            /Invented data-source answers \(2\): .*\n {4}- aws:ec2\/getVpc:getVpc\n {4}- aws:ec2\/getSubnets:getSubnets\n/,
        );
        assert.match(r.stdout, /Plan: .* · 0 unanswered · 2 invented · /);
        assert.doesNotMatch(r.stdout, /Unanswered data sources/);
    });

    it("pins a lookup and a resource's outputs with --mocks, and notes what it pinned", async () => {
        const dir = path.join(PROGRAMS, "mocks-pin");
        const r = await plan(
            "--program",
            dir,
            "--policy-pack-config",
            PROD_POLICY,
            "--mocks",
            path.join(dir, "mocks.yaml"),
            "--json",
        );
        const doc = JSON.parse(r.stdout) as PlanJson;
        assert.equal(doc.error, null, r.stderr);
        assert.equal(doc.outputs.vpcId, "vpc-0shared0000000001");
        assert.equal(doc.outputs.vpcCidr, "10.42.0.0/16");
        assert.equal(doc.outputs.bucketName, "pinned-assets-bucket");
        const sg = doc.steps.find((s) => s.type === "aws:ec2/securityGroup:SecurityGroup")!;
        assert.equal(sg.inputs.vpcId, "vpc-0shared0000000001");
        assert.deepEqual(doc.inventedDataSources, [], "a pinned answer is not invented");
        assert.ok(
            doc.notes.some((n) =>
                /pinned by --mocks .*mocks\.yaml: aws:ec2\/getVpc:getVpc, aws:s3\/bucket:Bucket/.test(
                    n,
                ),
            ),
            doc.notes.join("\n"),
        );
    });

    it("refuses a bad --mocks file with exit 2, naming the file, the path and the key", async () => {
        const file = path.join(tempDir("mocks-"), "mocks.yaml");
        fs.writeFileSync(file, "invokes:\n  aws:ec2/getVpc:getVpc: vpc-123\nextra: 1\n");
        const r = await plan("--program", path.join(PROGRAMS, "mocks-pin"), "--mocks", file);
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(
            r.stderr,
            new RegExp(
                `--mocks ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: unknown key "extra"`,
            ),
        );
        fs.writeFileSync(file, "invokes:\n  aws:ec2/getVpc:getVpc: vpc-123\n");
        const r2 = await plan("--program", path.join(PROGRAMS, "mocks-pin"), "--mocks", file);
        assert.equal(r2.code, 2);
        assert.match(
            r2.stderr,
            /invokes\."aws:ec2\/getVpc:getVpc": expected an object of result fields \(got a string\)/,
        );
        const missing = await plan(
            "--program",
            path.join(PROGRAMS, "mocks-pin"),
            "--mocks",
            `${file}.nope`,
        );
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /--mocks .*\.nope: no such file/);
    });
});
