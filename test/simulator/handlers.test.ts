// Where the simulator's "other mini program" handlers come from: the option (object or module path, as --handlers /
// SIM_HANDLERS give it), else the project's simulator.handlers.js; and this repository's own file, which points the
// pay mini programs at the sandbox that `npm run serve` started.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveHandlers } from '../../simulator/handlers';
import { sandboxUrlFromEnv, PROVIDER_APP_IDS } from '../../sandbox/simulator-handler';
import { FIXTURE } from './helpers';

describe('resolveHandlers', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-handlers-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes the project\'s simulator.handlers.js when nothing is given', () => {
    const { handlers, source } = resolveHandlers(FIXTURE, undefined);
    expect(Object.keys(handlers)).toEqual(['wxprovider']);
    expect(source).toBe(path.join(FIXTURE, 'simulator.handlers.js'));
  });

  it('a module path or an object replaces the project\'s file', () => {
    const fromModule = resolveHandlers(FIXTURE, path.join(FIXTURE, 'handlers.js'));
    expect(fromModule.source).toBe(path.join(FIXTURE, 'handlers.js'));
    const own = async () => ({});
    expect(resolveHandlers(FIXTURE, { wxother: own })).toEqual({ handlers: { wxother: own }, source: 'the handlers option' });
  });

  it('no file: no handlers, and the source says where it looked', () => {
    expect(resolveHandlers(dir, undefined)).toEqual({ handlers: {}, source: `none (no simulator.handlers.js in ${dir})` });
  });

  it('a file that exports something else, or a handler that is no function, is refused with what to write', () => {
    fs.writeFileSync(path.join(dir, 'simulator.handlers.js'), 'module.exports = "wx123";');
    expect(() => resolveHandlers(dir, undefined)).toThrow(
      `${path.join(dir, 'simulator.handlers.js')} must export an object mapping appId to a handler function (module.exports = { wx123: async (jump) => ({ extraData }) })`);
    fs.writeFileSync(path.join(dir, 'other.js'), 'module.exports = { wx123: { extraData: {} } };');
    expect(() => resolveHandlers(dir, path.join(dir, 'other.js'))).toThrow(`${path.join(dir, 'other.js')}: the handler for "wx123" is not a function`);
    expect(() => resolveHandlers(dir, path.join(dir, 'missing.js'))).toThrow(/^cannot load the handlers module .*missing\.js: Cannot find module/);
  });
});

describe('this repository\'s simulator.handlers.js', () => {
  it('registers both pay mini programs', () => {
    const handlers = require('../../simulator.handlers.js');
    expect(Object.keys(handlers).sort()).toEqual([PROVIDER_APP_IDS.payjs, PROVIDER_APP_IDS.xiaoweijufu].sort());
  });

  it('finds the sandbox at SANDBOX_URL, else at SANDBOX_PORT (default 3001, as npm run serve)', () => {
    expect(sandboxUrlFromEnv({})).toBe('http://127.0.0.1:3001');
    expect(sandboxUrlFromEnv({ SANDBOX_PORT: '4001' })).toBe('http://127.0.0.1:4001');
    expect(sandboxUrlFromEnv({ SANDBOX_PORT: '4001', SANDBOX_URL: 'http://10.0.0.2:9000' })).toBe('http://10.0.0.2:9000');
    expect(() => sandboxUrlFromEnv({ SANDBOX_PORT: '0' })).toThrow('SANDBOX_PORT must be the sandbox\'s port (1..65535), got "0"');
  });
});
