// Jest ignores `testTimeout` inside a `projects` entry; integration tests talk to real servers and
// need more than the 5 s default (startup of a consumer group alone takes a few seconds).
jest.setTimeout(60_000);
