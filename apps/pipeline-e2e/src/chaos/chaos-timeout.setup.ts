// Jest ignores `testTimeout` inside a `projects` entry; a chaos spec stops processes, restarts them
// with `up` and waits for a backlog to drain.
jest.setTimeout(240_000);
