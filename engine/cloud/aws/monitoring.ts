// Monitoring: CloudWatch log groups, alarms and dashboards, and the SNS topics and subscriptions
// alarms notify.
import { plain, str } from "../context";
import { stableUuid } from "../ids";
import { arn, autoname, Builder, physicalName, seedOf } from "./common";

const CLOUDWATCH: Record<string, Builder> = {
    "aws:cloudwatch/logGroup:LogGroup": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 512);
        return { id: name, state: { name, arn: arn(ctx, "logs", `log-group:${name}`) } };
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        return { id: name, state: { name, arn: arn(ctx, "cloudwatch", `alarm:${name}`) } };
    },
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "alarmName", 255);
        return {
            id: name,
            state: { alarmName: name, arn: arn(ctx, "cloudwatch", `alarm:${name}`) },
        };
    },
    "aws:cloudwatch/dashboard:Dashboard": (ctx, args, inputs) => {
        const name = str(inputs.dashboardName) ?? args.name;
        return {
            id: name,
            state: {
                dashboardName: name,
                dashboardArn: `arn:${ctx.partition}:cloudwatch::${ctx.account}:dashboard/${name}`,
            },
        };
    },
};

/** Subscriptions over these protocols wait for the endpoint to confirm them. */
const CONFIRMED_BY_ENDPOINT = ["email", "email-json", "http", "https"];

const SNS: Record<string, Builder> = {
    "aws:sns/topic:Topic": (ctx, args, inputs) => {
        const fifo = plain(inputs.fifoTopic) === true;
        const name =
            str(inputs.name) ??
            `${autoname(args.name, seedOf(args), fifo ? 251 : 256)}${fifo ? ".fifo" : ""}`;
        const a = arn(ctx, "sns", name);
        return { id: a, state: { name, arn: a, owner: ctx.account } };
    },
    "aws:sns/topicSubscription:TopicSubscription": (ctx, args, inputs) => {
        const a = `${str(inputs.topic) ?? ""}:${stableUuid(seedOf(args))}`;
        const protocol = str(inputs.protocol);
        return {
            id: a,
            state: {
                arn: a,
                ownerId: ctx.account,
                pendingConfirmation: CONFIRMED_BY_ENDPOINT.includes(protocol ?? ""),
                confirmationWasAuthenticated: false,
            },
        };
    },
    "aws:sns/topicPolicy:TopicPolicy": (ctx, _args, inputs) => ({
        id: str(inputs.arn) ?? "",
        state: { owner: ctx.account },
    }),
};

export const MONITORING: Record<string, Builder> = { ...CLOUDWATCH, ...SNS };
