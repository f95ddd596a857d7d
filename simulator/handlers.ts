// Where the stand-ins for other mini programs come from. In order:
//   1. startSimulator({handlers}) — an object, or the path of a module (the CLI passes --handlers / SIM_HANDLERS);
//   2. the project's own file: simulator.handlers.js (or .ts) at the project root, next to project.config.json;
//   3. none: a jump opens nothing, as in WeChat DevTools (see runtime/jump.ts).
// A handlers module exports (default export or module.exports) an object mapping appId -> async (jump) => ({extraData}).
import fs from 'node:fs';
import path from 'node:path';
import type { MiniProgramHandler } from './runtime/types';

export const PROJECT_HANDLERS_FILES = ['simulator.handlers.js', 'simulator.handlers.ts'];

export type Handlers = Record<string, MiniProgramHandler>;

export interface ResolvedHandlers {
  handlers: Handlers;
  /** where they came from, for the log */
  source: string;
}

function validate(value: unknown, from: string): Handlers {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${from} must export an object mapping appId to a handler function (module.exports = { wx123: async (jump) => ({ extraData }) })`);
  }
  for (const [appId, handler] of Object.entries(value)) {
    if (typeof handler !== 'function') throw new Error(`${from}: the handler for "${appId}" is not a function`);
  }
  return value as Handlers;
}

export function loadHandlersModule(file: string): Handlers {
  const abs = path.resolve(file);
  let mod: unknown;
  try {
    mod = require(abs);
  } catch (err) {
    throw new Error(`cannot load the handlers module ${abs}: ${(err as Error).message}`);
  }
  const m = mod as { __esModule?: boolean; default?: unknown };
  return validate(m && m.default !== undefined ? m.default : mod, abs);
}

export function findProjectHandlersFile(projectPath: string): string | undefined {
  for (const name of PROJECT_HANDLERS_FILES) {
    const file = path.join(path.resolve(projectPath), name);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

export function resolveHandlers(projectPath: string, given: Handlers | string | undefined): ResolvedHandlers {
  if (typeof given === 'string') return { handlers: loadHandlersModule(given), source: path.resolve(given) };
  if (given) return { handlers: validate(given, 'the handlers option'), source: 'the handlers option' };
  const file = findProjectHandlersFile(projectPath);
  if (file) return { handlers: loadHandlersModule(file), source: file };
  return { handlers: {}, source: `none (no ${PROJECT_HANDLERS_FILES[0]} in ${path.resolve(projectPath)})` };
}
