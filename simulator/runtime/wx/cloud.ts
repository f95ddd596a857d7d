// wx.cloud: a shell. init() works (so App.onLaunch does not throw) and remembers its env; every call that would
// reach WeChat's cloud fails "not supported in the simulator", through callbacks or a rejected promise. Each method
// can be mocked like a wx method, by its dotted name: miniProgram.mockWxMethod('cloud.callFunction', {result: ...}).
import { fail } from '../errors';
import { NOT_SUPPORTED, mocked, settle, softObject, type WxDefinitions, type WxHost } from './core';

const CALLS = ['callFunction', 'uploadFile', 'downloadFile', 'getTempFileURL', 'deleteFile', 'callContainer', 'connectContainer'];

/** A database whose queries build and whose reads and writes fail as cloud calls do. */
function database(app: WxHost, call: (name: string, opts: unknown) => unknown) {
  const ops = (label: string) => (opts?: unknown) => call(`cloud.database.${label}`, opts);
  const query = () => {
    const q: Record<string, unknown> = {};
    for (const m of ['where', 'orderBy', 'limit', 'skip', 'field', 'aggregate']) q[m] = () => q;
    Object.assign(q, { get: ops('get'), count: ops('count'), update: ops('update'), remove: ops('remove'), watch: () => ({ close: () => Promise.resolve() }) });
    return q;
  };
  const commandProxy = new Proxy<Record<string, unknown>>({}, { get: (_t, p) => (p === 'then' ? undefined : (...args: unknown[]) => ({ $op: String(p), args })) });
  return {
    collection: () => {
      const q = query();
      return Object.assign(q, { add: ops('add'), doc: () => ({ get: ops('get'), set: ops('set'), update: ops('update'), remove: ops('remove'), field: () => q, watch: () => ({ close: () => Promise.resolve() }) }) });
    },
    command: commandProxy,
    serverDate: () => ({ $date: 'server' }),
    Geo: softObject(app, 'cloud.database', undefined),
    RegExp: (o: unknown) => ({ $regex: o }),
    startTransaction: ops('startTransaction'),
    runTransaction: ops('runTransaction'),
  };
}

export function defineCloud(d: WxDefinitions): void {
  const app = d.app;
  const sim = app.sim;
  let initialized = false;
  const call = (name: string, opts: unknown) => {
    const mock = sim.mocks.get(name);
    if (mock) return mocked(app, name, mock, undefined, false)(opts);
    d.warn(name);
    return settle(app, name, opts, () => fail(initialized || name === 'cloud.init' ? NOT_SUPPORTED : `${NOT_SUPPORTED} (and wx.cloud.init was not called)`), { promise: true });
  };
  const cloud: Record<string, unknown> = {
    init: (config?: { env?: unknown }) => {
      initialized = true;
      sim.log(`wx.cloud.init(${JSON.stringify(config ?? {})}): cloud calls will fail "not supported in the simulator" unless mocked`);
    },
    database: () => database(app, call),
    CloudID: (id: string) => ({ cloudID: id }),
    CDN: (target: unknown) => ({ target }),
    services: {},
    extend: { AI: softObject(app, 'cloud.extend.AI', 'ICloudAI') },
  };
  for (const name of CALLS) cloud[name] = (opts?: unknown) => call(`cloud.${name}`, opts);
  d.value('cloud', 'stubbed', cloud, 'init() works; database() builds queries; calls fail "cloud.<name>:fail not supported in the simulator" unless mocked with mockWxMethod(\'cloud.callFunction\', ...)');
}
