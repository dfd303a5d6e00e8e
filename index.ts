import { loadConfig } from "./config/load";
import { buildPlatform } from "./platform";

// Validate all stack config before a single resource is registered: bad input never leaves half a stack.
const platform = buildPlatform(loadConfig());

export const url = platform.then((p) => p.url);
export const albDnsName = platform.then((p) => p.albDnsName);
export const targetGroupArn = platform.then((p) => p.targetGroupArn);
export const serviceName = platform.then((p) => p.serviceName);
export const clusterName = platform.then((p) => p.clusterName);
export const autoScalingGroupName = platform.then((p) => p.autoScalingGroupName);
export const workerServiceNames = platform.then((p) => p.workerServiceNames);
export const vpcId = platform.then((p) => p.vpcId);
export const publicSubnetIds = platform.then((p) => p.publicSubnetIds);
export const privateSubnetIds = platform.then((p) => p.privateSubnetIds);
export const databaseWriterEndpoint = platform.then((p) => p.databaseWriterEndpoint);
export const databaseReaderEndpoints = platform.then((p) => p.databaseReaderEndpoints);
export const cachePrimaryEndpoint = platform.then((p) => p.cachePrimaryEndpoint);
export const cacheReaderEndpoint = platform.then((p) => p.cacheReaderEndpoint);
export const alarmTopicArn = platform.then((p) => p.alarmTopicArn);
export const dashboardName = platform.then((p) => p.dashboardName);
