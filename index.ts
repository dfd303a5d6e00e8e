import { loadConfig } from "./config/load";
import { buildPlatform } from "./platform";

// Validate all stack config before a single resource is registered: bad input never leaves half a stack.
// The program is synchronous: lookups (AZs, Cloudflare's ranges) are Outputs, so nothing is awaited.
const platform = buildPlatform(loadConfig());

export const url = platform.url;
export const albDnsName = platform.albDnsName;
export const targetGroupArn = platform.targetGroupArn;
export const serviceName = platform.serviceName;
export const clusterName = platform.clusterName;
export const autoScalingGroupName = platform.autoScalingGroupName;
export const workerServiceNames = platform.workerServiceNames;
export const vpcId = platform.vpcId;
export const publicSubnetIds = platform.publicSubnetIds;
export const privateSubnetIds = platform.privateSubnetIds;
export const databaseWriterEndpoint = platform.databaseWriterEndpoint;
export const databaseReaderEndpoints = platform.databaseReaderEndpoints;
export const cachePrimaryEndpoint = platform.cachePrimaryEndpoint;
export const cacheReaderEndpoint = platform.cacheReaderEndpoint;
export const alarmTopicArn = platform.alarmTopicArn;
export const dashboardName = platform.dashboardName;
