// Routes "Domain.method" to the domain handler modules. Answers always carry a result object; a thrown error
// becomes {error: {message}}, which the client turns into a rejected call with that message.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Simulation } from '../runtime/simulation';
import type { ElementRegistry } from './elements';

export interface Context {
  sim: Simulation;
  elements: ElementRegistry;
  /** Tool.close: the client asks the "DevTools" to quit */
  requestClose(): void;
}

export type Handler = (params: any, ctx: Context) => unknown | Promise<unknown>;
export type Domain = Record<string, Handler>;

export class Dispatcher {
  private readonly methods = new Map<string, Handler>();

  register(domainName: string, domain: Domain): void {
    for (const [name, handler] of Object.entries(domain)) this.methods.set(`${domainName}.${name}`, handler);
  }

  async dispatch(method: string, params: unknown, ctx: Context): Promise<Record<string, unknown>> {
    const handler = this.methods.get(method);
    if (!handler) throw new Error(`${method} is not supported by the headless simulator`);
    const result = await handler(params && typeof params === 'object' ? params : {}, ctx);
    return result && typeof result === 'object' ? (result as Record<string, unknown>) : {};
  }
}

export function headless(what: string): Handler {
  return () => {
    throw new Error(`${what} needs a screen: the headless simulator cannot do it (use WeChat DevTools)`);
  };
}

export function errorMessage(err: unknown): string {
  // errors from app code may come from another realm: test the shape, not the class
  if (err && typeof err === 'object' && typeof (err as Error).message === 'string' && 'stack' in err) return (err as Error).message;
  if (err && typeof err === 'object' && typeof (err as any).errMsg === 'string') return (err as any).errMsg;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
