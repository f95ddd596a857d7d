// setupFilesAfterEnv of the server-pg project: each backend here also creates a database, migrates it and connects
// its LISTEN session, so on a loaded 2-core machine a test's set-up alone can pass jest's default 5 s (a project's
// own `testTimeout` is not applied to its tests by jest 30; this is).
jest.setTimeout(30_000);
