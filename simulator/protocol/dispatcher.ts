// Routes "Domain.method" to the domain handler modules. Answers always carry a result object; a thrown error
// becomes {error: {message}}, which the client turns into a rejected call with that message.
import type { Simulation } from '../runtime/simulation';
import type { ElementRegistry } from './elements';
import type { DomainName, MethodName, ParamsOf, ResultOf } from './methods';

export interface Context {
  sim: Simulation;
  elements: ElementRegistry;
  /** Tool.close: the client asks the "DevTools" to quit */
  requestClose(): void;
}

/** One domain's handlers, typed by the method map: `Page` -> { getElement(params, ctx): ElementRef, ... }. */
export type DomainHandlers<D extends DomainName> = {
  [K in MethodName as K extends `${D}.${infer Name}` ? Name : never]: (params: ParamsOf<K>, ctx: Context) => ResultOf<K> | Promise<ResultOf<K>>;
};

type AnyHandler = (params: never, ctx: Context) => unknown;

export class Dispatcher {
  private readonly methods = new Map<string, AnyHandler>();

  register<D extends DomainName>(domainName: D, domain: DomainHandlers<D>): void {
    for (const [name, handler] of Object.entries(domain)) this.methods.set(`${domainName}.${name}`, handler as AnyHandler);
  }

  async dispatch(method: string, params: unknown, ctx: Context): Promise<Record<string, unknown>> {
    const handler = this.methods.get(method) as ((params: unknown, ctx: Context) => unknown) | undefined;
    if (!handler) throw new Error(`${method} is not supported by the simulator`);
    const result = await handler(params && typeof params === 'object' ? params : {}, ctx);
    return result && typeof result === 'object' ? (result as Record<string, unknown>) : {};
  }
}

/** A handler for what DevTools does with its own windows and accounts, which the simulator has none of. */
export function notAvailable(what: string): () => never {
  return () => {
    throw new Error(`${what} is not available in the simulator (it needs WeChat DevTools itself)`);
  };
}

export function errorMessage(err: unknown): string {
  // errors from app code may come from another realm: test the shape, not the class
  if (err && typeof err === 'object' && typeof (err as Error).message === 'string' && 'stack' in err) return (err as Error).message;
  if (err && typeof err === 'object' && typeof (err as { errMsg?: unknown }).errMsg === 'string') return (err as { errMsg: string }).errMsg;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
