#!/usr/bin/env node
// WeChat DevTools' command line, as far as miniprogram-automator uses it:
//   cli.js auto --project <dir> --auto-port <port> [--trust-project] [--handlers <module>] [--render headless|browser]
//          [--keep-alive] [--verbose]
// so that automator.launch({cliPath: 'simulator/cli.js', projectPath}) starts the headless simulator.
// `--handlers` (or SIM_HANDLERS) names a module whose default export (or module.exports) maps appId -> handler
// for wx.navigateToMiniProgram. `--render browser` (or SIM_RENDER=browser) lays pages out in Chromium. The process
// exits on Tool.close, when its client disconnects (unless --keep-alive), and on SIGINT/SIGTERM; a project that
// cannot load exits with status 1 and says why.
'use strict';

const path = require('node:path');

function parseArgs(argv) {
  const out = { command: undefined, flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) out.flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.flags[a.slice(2)] = argv[++i];
      else out.flags[a.slice(2)] = true;
    } else if (!out.command) out.command = a;
  }
  return out;
}

function usage(message) {
  process.stderr.write(`simulator: ${message}\nusage: simulator/cli.js auto --project <dir> --auto-port <port> [--handlers <module>] [--render headless|browser] [--keep-alive] [--verbose]\n`);
  process.exit(2);
}

async function main() {
  const { command, flags } = parseArgs(process.argv.slice(2));
  if (command !== 'auto') usage(command ? `unknown command "${command}" (only "auto" is supported)` : 'missing command "auto"');
  if (typeof flags.project !== 'string') usage('--project <dir> is required');
  const port = flags['auto-port'] === undefined ? 9420 : Number(flags['auto-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--auto-port must be a port number, got "${flags['auto-port']}"`);
  const render = flags.render === undefined ? undefined : String(flags.render);
  if (render !== undefined && render !== 'headless' && render !== 'browser') usage(`--render must be headless or browser, got "${render}"`);

  // the simulator and handler modules are TypeScript
  require('esbuild-register/dist/node').register({ target: 'es2020' });
  const { startSimulator } = require('./index.ts');

  let handlers = {};
  const handlersPath = typeof flags.handlers === 'string' ? flags.handlers : process.env.SIM_HANDLERS;
  if (handlersPath) {
    const mod = require(path.resolve(handlersPath));
    handlers = (mod && mod.__esModule && mod.default) || mod.default || mod;
    if (!handlers || typeof handlers !== 'object') throw new Error(`--handlers ${handlersPath} must export an object mapping appId to a handler function`);
  }

  const log = (line) => process.stderr.write(`simulator: ${line}\n`);
  let simulator;
  let exiting = false;
  const exit = async (code) => {
    if (exiting) return;
    exiting = true;
    if (simulator) await simulator.close().catch(() => undefined);
    process.exit(code);
  };
  simulator = await startSimulator({
    projectPath: flags.project,
    port,
    handlers,
    render,
    log,
    verbose: !!flags.verbose,
    onToolClose: () => void exit(0),
    onDisconnect: (remaining) => {
      if (remaining === 0 && !flags['keep-alive']) void exit(0);
    },
  });
  process.on('SIGINT', () => void exit(0));
  process.on('SIGTERM', () => void exit(0));
  process.on('unhandledRejection', (err) => log(`unhandled rejection in the app: ${err && err.stack ? err.stack : String(err)}`));
  process.stdout.write(`simulator ready: ${simulator.wsEndpoint} (project ${path.resolve(flags.project)})\n`);
}

main().catch((err) => {
  process.stderr.write(`simulator: cannot start: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
