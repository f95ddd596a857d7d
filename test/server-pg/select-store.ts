// setupFiles of the server-pg project: the test/server suites read TEST_STORE to start their backends on
// PostgreSQL (a fresh database each) instead of SQLite. jest gives each test file its own copy of process.env.
process.env.TEST_STORE = 'postgres';
