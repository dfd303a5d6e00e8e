import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("web-platform-guardrails", { policies, enforcementLevel: "mandatory" });
