// Lambda: functions as the provider reports them (ARN `function:<name>`, the unqualified version
// `$LATEST`, the invoke ARN API Gateway uses).
import { arn, Builder, physicalName } from "./common";

export const LAMBDA: Record<string, Builder> = {
    "aws:lambda/function:Function": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 64);
        const a = arn(ctx, "lambda", `function:${name}`);
        return {
            id: name,
            state: {
                name,
                arn: a,
                qualifiedArn: `${a}:$LATEST`,
                invokeArn: `arn:${ctx.partition}:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${a}/invocations`,
                version: "$LATEST",
            },
        };
    },
};
