// One environment variable set for the length of a call: tests that steer a plan or a portal
// through a variable (a cache directory, TMPDIR, a recorder's log) leave the environment as they
// found it, whether the call returns or throws.
export async function withEnv<T>(
    name: string,
    value: string,
    fn: () => T | Promise<T>,
): Promise<T> {
    const previous = process.env[name];
    process.env[name] = value;
    try {
        return await fn();
    } finally {
        if (previous === undefined) {
            delete process.env[name];
        } else {
            process.env[name] = previous;
        }
    }
}
