import { loadConfig } from "./config/load";
import { buildPlatform, webReleasePeak } from "./platform";

// Validate all stack config before a single resource is registered: bad input never leaves half a stack.
// The program is synchronous: lookups (AZs, Cloudflare's ranges) are Outputs, so nothing is awaited.
const config = loadConfig();
const platform = buildPlatform(config);
const releasePeak = webReleasePeak(config);

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
// What a release costs in capacity (docs/deploying.md, "Capacity during a release"): the most web
// tasks or instances a release runs at once (2 x capacity.max) and for how many minutes.
export const releasePeakTasks = releasePeak.peakTasks;
export const releasePeakMinutes = releasePeak.peakMinutes;
