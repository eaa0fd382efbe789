// Jest ignores `testTimeout` inside a `projects` entry; e2e tests wait for real tracers to flush and
// for the pipeline to settle.
jest.setTimeout(120_000);
