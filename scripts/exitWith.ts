// How the repository's command-line scripts end: with the exit status their work resolves to, or,
// when it fails, with "error: <message>" on stderr and status 1 (a message, not a stack trace).

export function exitWith(status: Promise<number>): void {
    status.then(
        (code) => {
            process.exitCode = code;
        },
        (e: unknown) => {
            process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exitCode = 1;
        },
    );
}
