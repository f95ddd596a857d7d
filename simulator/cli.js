#!/usr/bin/env node
// WeChat DevTools' command line, as far as miniprogram-automator uses it:
//   cli.js auto --project <dir> --auto-port <port> [DevTools' other auto flags] [the simulator's own flags]
// so that automator.launch({cliPath: 'simulator/cli.js', projectPath}) starts the simulator (launch puts its `args`
// first: `cli.js --verbose auto --project ...`). DevTools' older form `cli.js --auto <dir>` works too.
// The process exits on Tool.close, when its last client disconnects (unless --keep-alive), and on SIGINT/SIGTERM;
// a project that cannot load exits 1 and says why; a bad argument exits 2. Everything the simulator says goes to
// stderr and to <project>/.simulator.log, so it can be read when automator.launch (which hides the output) started it.
// Started as launch starts it (all output to /dev/null), it returns once the simulator is ready, as DevTools' cli does,
// and the simulator runs on in the background (see shouldDetach).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const USAGE = `usage: simulator/cli.js auto --project <dir> [--auto-port <port>] [options]

DevTools' flags (accepted; those without meaning here are ignored):
  --project <dir>        the project (where project.config.json is)         (also: --auto <dir>)
  --auto-port <port>     port of the automation WebSocket on 127.0.0.1 (default 9420; 0 picks one)
  --auto-account <id>, --ticket <t>, --trust-project, --lang <en|zh>, --port <n>, --appid <id>, --ext-appid <id>
  --debug                same as --verbose
  -h, --help             this text
The simulator's own:
  --handlers <module>    stand-ins for other mini programs (default: the project's simulator.handlers.js; env SIM_HANDLERS)
  --render <mode>        headless (default) or browser (env SIM_RENDER)
  --device <name>        one of DevTools' simulator devices, e.g. "iPhone 6/7/8 Plus" (default "iPhone 6/7/8";
                         env SIM_DEVICE)
  --log-file <file>      where the log goes besides stderr (default <project>/.simulator.log; env SIM_LOG_FILE)
  --keep-alive           keep running when the last client disconnects
  --verbose              also log the app's console output
`;

const OPTIONS = {
  project: { type: 'string' },
  auto: { type: 'string' },
  'auto-port': { type: 'string' },
  'auto-account': { type: 'string' },
  ticket: { type: 'string' },
  'trust-project': { type: 'boolean' },
  lang: { type: 'string' },
  port: { type: 'string' },
  appid: { type: 'string' },
  'ext-appid': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  handlers: { type: 'string' },
  render: { type: 'string' },
  device: { type: 'string' },
  'log-file': { type: 'string' },
  'keep-alive': { type: 'boolean' },
  verbose: { type: 'boolean' },
};

function usageError(message) {
  process.stderr.write(`simulator: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function readArgs(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // node's messages name the option and say what is wrong ("Unknown option '--foo'", "... argument missing")
    usageError(String(err && err.message ? err.message : err).replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const [command, ...rest] = positionals;
  if (command === undefined && values.auto === undefined) usageError('missing command "auto"');
  if (command !== undefined && command !== 'auto') {
    usageError(`"${command}" is a WeChat DevTools command the simulator does not have; it only runs "auto" (automation)`);
  }
  if (rest.length) usageError(`unexpected argument "${rest[0]}"`);
  const project = values.project ?? values.auto;
  if (!project) usageError('--project <dir> is required');
  const port = values['auto-port'] === undefined ? 9420 : Number(values['auto-port']);
  if (!/^\d+$/.test(String(values['auto-port'] ?? '9420')) || port > 65535) {
    usageError(`--auto-port must be a port number 0..65535, got "${values['auto-port']}"`);
  }
  return { values, project: path.resolve(project), port };
}

/** stderr plus a log file beside the project, written synchronously so an exit loses nothing. */
function openLog(file) {
  let fd;
  let failure;
  if (file) {
    try {
      fd = fs.openSync(file, 'w');
    } catch (err) {
      failure = err.message;
    }
  }
  const log = (line) => {
    process.stderr.write(`simulator: ${line}\n`);
    if (fd !== undefined) fs.writeSync(fd, `${new Date().toISOString()} ${line}\n`);
  };
  if (failure) log(`cannot write the log file ${file}: ${failure}`);
  return log;
}

/** How long a simulator that went to the background waits for its first client before it gives up. */
const FIRST_CLIENT_MS = 60000;

function isDevNull(fd) {
  try {
    const a = fs.fstatSync(fd);
    const b = fs.statSync('/dev/null');
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

/**
 * automator.launch spawns the CLI with all of its output thrown away and, once that process exits, arms a 15 s
 * timer of its own (its "the port never opened" check) that nothing can cancel: a CLI that lived until Tool.close
 * kept the test runner alive 15 s after the suite (jest: "A worker process has failed to exit gracefully"). WeChat
 * DevTools' own cli returns as soon as the project window is open, so the timer runs out while the suite runs. The
 * simulator does the same: when nobody can see its output (stdin, stdout and stderr all /dev/null, as launch
 * spawns it), the CLI starts the simulator as a background process and returns once it is ready (exit 0), or with
 * the simulator's exit code when it cannot start. The background process logs to the log file as usual.
 */
function shouldDetach() {
  return process.platform !== 'win32' && !process.env.SIM_CLI_BACKGROUND && [0, 1, 2].every(isDevNull);
}

function runInBackground() {
  const child = require('node:child_process').spawn(process.execPath, [__filename, ...process.argv.slice(2)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, SIM_CLI_BACKGROUND: '1' },
  });
  child.on('message', (message) => {
    if (message !== 'ready') return;
    child.disconnect();
    child.unref();
    process.exit(0);
  });
  child.on('exit', (code) => process.exit(code ?? 1));
}

async function main() {
  const { values, project, port } = readArgs(process.argv.slice(2));
  if (shouldDetach()) return runInBackground();
  const background = !!process.env.SIM_CLI_BACKGROUND && typeof process.send === 'function';
  const logFile = values['log-file'] ?? process.env.SIM_LOG_FILE ?? (fs.existsSync(project) ? path.join(project, '.simulator.log') : undefined);
  const log = openLog(logFile);
  log(`starting for ${project} (arguments: ${process.argv.slice(2).join(' ')})`);

  let simulator;
  let noClient;
  let connected = false;
  let exiting = false;
  const exit = async (code, why) => {
    if (exiting) return;
    exiting = true;
    if (why) log(why);
    if (simulator) await simulator.close().catch(() => undefined);
    process.exit(code);
  };
  try {
    // the simulator and handler modules are TypeScript
    require('esbuild-register/dist/node').register({ target: 'es2020' });
    const { startSimulator } = require('./index.ts');
    const { parseRenderMode } = require('./render/index.ts');
    const render = parseRenderMode(values.render ?? process.env.SIM_RENDER, values.render !== undefined ? '--render' : 'SIM_RENDER');
    simulator = await startSimulator({
      projectPath: project,
      port,
      handlers: values.handlers ?? process.env.SIM_HANDLERS ?? undefined,
      render,
      device: values.device ?? process.env.SIM_DEVICE ?? undefined,
      log,
      verbose: !!(values.verbose || values.debug),
      onToolClose: () => void exit(0, 'Tool.close received: exiting'),
      onConnect: () => {
        connected = true;
        clearTimeout(noClient);
      },
      onDisconnect: (remaining) => {
        if (remaining === 0 && !values['keep-alive']) void exit(0, 'the last client disconnected: exiting');
      },
    });
  } catch (err) {
    log(`cannot start: ${err && err.message ? err.message : String(err)}`);
    process.exit(1);
  }
  process.on('SIGINT', () => void exit(0, 'SIGINT: exiting'));
  process.on('SIGTERM', () => void exit(0, 'SIGTERM: exiting'));
  process.on('unhandledRejection', (err) => log(`unhandled rejection in the app: ${err && err.stack ? err.stack : String(err)}`));
  log(`ready: ${simulator.wsEndpoint} (${simulator.render} mode)`);
  process.stdout.write(`simulator ready: ${simulator.wsEndpoint} (project ${project})\n`);
  if (background) {
    log(`running in the background (pid ${process.pid}): the launching process returned, as DevTools' cli does`);
    // nobody to wait for if the launcher died before connecting
    if (!connected) noClient = setTimeout(() => void exit(0, `no client connected within ${FIRST_CLIENT_MS / 1000} s: exiting`), FIRST_CLIENT_MS);
    process.send('ready');
    process.disconnect();
  }
}

main();
