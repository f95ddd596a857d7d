// Listening, with the usual failures turned into a sentence that says which variable to change.

import type { FastifyInstance } from 'fastify';

export interface ListenTarget {
  host: string;
  port: number;
  /** the environment variable that chooses the port (PORT, SANDBOX_PORT, ...) */
  portVariable: string;
  /** the environment variable that chooses the host, when there is one */
  hostVariable?: string;
}

/** http://host:port, with an IPv6 host in brackets. */
export function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** An error whose message says what to do; the errno code is kept so callers can still tell the cases apart. */
export function explainListenError(error: unknown, target: ListenTarget): Error {
  const code = (error as NodeJS.ErrnoException)?.code;
  const where = `${target.host}:${target.port}`;
  const hostVariable = target.hostVariable ?? 'HOST';
  let message: string;
  switch (code) {
    case 'EADDRINUSE':
      message = `Port ${target.port} on ${target.host} is in use; set ${target.portVariable} to a free port (or 0 for any)`;
      break;
    case 'EACCES':
      message =
        `Listening on ${where} needs privileges this process does not have; set ${target.portVariable} to 1024 or ` +
        'higher (put a reverse proxy on 80/443)';
      break;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      message = `${target.host} is not an address of this machine; set ${hostVariable} to one (127.0.0.1, 0.0.0.0 or ::)`;
      break;
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
  return Object.assign(new Error(message), { code });
}

/**
 * Connections accepted by the kernel and not yet by Node. Node's default, 511, overflows when thousands of clients
 * connect at once (an attacker reconnecting every connection the request timeout cut): the kernel then drops SYNs,
 * and an honest client, the provider's notify among them, waits 1 s or more for its retransmission. Linux caps it at
 * net.core.somaxconn (4096 on current kernels).
 */
const LISTEN_BACKLOG = 4096;

/** Listens and answers the address really bound (port 0 = an ephemeral port). */
export async function listen(app: FastifyInstance, target: ListenTarget): Promise<{ url: string; port: number }> {
  try {
    await app.listen({ host: target.host, port: target.port, backlog: LISTEN_BACKLOG });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw explainListenError(error, target);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : target.port;
  return { url: httpUrl(target.host, port), port };
}
