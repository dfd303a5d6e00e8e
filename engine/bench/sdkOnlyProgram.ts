// Benchmark program: imports every SDK the platform's program imports and registers one resource.
// Its plan is what any plan costs before the program does anything: the plan's own start, the
// program's process loading the SDKs through cmd/run, and the analyzer's start.
import "@pulumi/awsx";
import "@pulumi/cloudflare";
import "@pulumi/random";
import * as aws from "@pulumi/aws";

export const bucket = new aws.s3.BucketV2("bench-bucket", {}).id;
