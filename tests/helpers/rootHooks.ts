// Mocha's root hooks, loaded by every mocha configuration (`require`). In parallel mode a root
// `afterAll` runs after each test file, in that file's worker.
import { removeTempDirs } from "./tempDir";

export const mochaHooks = {
    afterAll(): void {
        removeTempDirs();
    },
};
