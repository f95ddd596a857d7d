// App domain: pages, wx calls, mocks, evaluate, console and bindings, the screenshot.
import type { DomainHandlers } from './dispatcher';
import { errorMessage } from './dispatcher';
import { isSyncApi } from '../runtime/wx-api';
import type { PageInstance } from '../runtime/simulation';
import type { PageRef } from './methods';

function describePage(p: PageInstance): PageRef {
  return { pageId: p.id, path: p.route, query: { ...p.query } };
}

async function settleValue(v: unknown): Promise<unknown> {
  return v && typeof (v as Promise<unknown>).then === 'function' ? await (v as Promise<unknown>) : v;
}

export const appDomain: DomainHandlers<'App'> = {
  getCurrentPage: (_p, { sim }) => {
    const top = sim.app.top();
    if (!top) throw new Error('no page is open (the app is launching or was closed)');
    return describePage(top);
  },
  getPageStack: (_p, { sim }) => ({ pageStack: sim.app.stack.map(describePage) }),

  callWxMethod: async (p, { sim }) => {
    if (p.pluginId) throw new Error(`App.callWxMethod: plugins (${p.pluginId}) are not supported by the simulator`);
    const method = String(p.method);
    const args = Array.isArray(p.args) ? p.args : [];
    const fn = sim.app.wx[method];
    if (isSyncApi(method)) return { result: await settleValue(fn(...args)) };
    const opts: Record<string, unknown> = args[0] && typeof args[0] === 'object' ? { ...(args[0] as object) } : {};
    for (const k of ['success', 'fail', 'complete']) delete opts[k];
    try {
      return { result: await fn(opts) };
    } catch (err) {
      throw new Error(errorMessage(err));
    }
  },

  mockWxMethod: (p, { sim }) => {
    const method = String(p.method);
    if (/^(on|off)[A-Z]/.test(method)) throw new Error(`App.mockWxMethod: ${method} cannot be mocked (on*/off* listeners never can)`);
    if (p.functionDeclaration !== undefined && p.functionDeclaration !== null) {
      const source = String(p.functionDeclaration);
      sim.app.rebuildFunction(source); // fail now, not at the first call, if the source does not compile
      sim.mocks.set(method, {
        // rebuilt at each call in the current launch's scope, so a mock survives a cold restart
        fn(this: unknown, ...a: unknown[]) {
          return sim.app.rebuildFunction(source).apply(this, a);
        },
        args: Array.isArray(p.args) ? p.args : [],
      });
    } else if ('result' in p) {
      const json = JSON.stringify(p.result ?? null);
      sim.mocks.set(method, { fn: () => JSON.parse(json), args: [] });
    } else {
      sim.mocks.delete(method);
    }
    return {};
  },

  callFunction: async (p, { sim }) => {
    const fn = sim.app.rebuildFunction(String(p.functionDeclaration));
    try {
      const result = await settleValue(fn(...(Array.isArray(p.args) ? p.args : [])));
      return { result };
    } catch (err) {
      throw new Error(errorMessage(err));
    }
  },

  enableLog: (_p, { sim }) => {
    sim.logEnabled = true;
    return {};
  },
  addBinding: (p, { sim }) => {
    if (!p.name || !/^[A-Za-z_$][\w$]*$/.test(p.name)) throw new Error(`App.addBinding: "${String(p.name)}" is not a valid function name`);
    sim.bindings.add(p.name);
    return {};
  },
  exit: () => ({}),
  captureScreenshot: async (_p, { sim }) => ({ data: (await sim.renderer.screenshot()).toString('base64') }),
};
