// The other mini programs this project jumps to, for the simulator (simulator/README.md, "Other mini programs").
// simulator/cli.js and startSimulator() load this file from the project root by themselves; --handlers or
// SIM_HANDLERS replace it. Here: the 小微聚付 and PayJS pay mini programs, played by the local sandbox that
// `npm run serve` starts (SANDBOX_URL, else http://127.0.0.1:<SANDBOX_PORT, default 3001>).
module.exports = require('./sandbox/simulator-handler').default;
