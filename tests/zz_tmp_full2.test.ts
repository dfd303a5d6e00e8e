import { runStack } from "./helpers/stack";
describe("tmp full", () => {
  for (const stack of ["dev", "prod"]) {
    it(stack, async () => {
      const run = await runStack(stack);
      console.log(stack, run.resources.length, "resources;", run.resources.filter(r => r.name.includes("-data")).length, "data; outputs", run.outputs.databaseWriterEndpoint, run.outputs.databaseReaderEndpoints);
    });
  }
});
