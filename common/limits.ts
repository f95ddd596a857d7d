// Limits on what clients may hold of a service's sockets, shared by the backend and the sandbox.
// The figures and why: README.md, "Limits under abuse".

import fs from 'node:fs';
import net from 'node:net';
import { normalizeIP } from '@fastify/rate-limit';

export interface ConnectionLimits {
  /**
   * The whole request, headers and body, must have arrived this long after it started (Node's requestTimeout): a
   * body trickling in a byte at a time is answered 408 and closed, and so is a connection that never sends a byte.
   * Waiting checks are not affected: their request has arrived, only the answer waits.
   */
  requestTimeoutMs: number;
  /** the headers must have arrived within this (Node's headersTimeout; at most requestTimeoutMs) */
  headersTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /**
   * Connections above this are closed as they arrive, so that sockets cannot take the file descriptors the store and
   * the provider query need; 0 = no cap.
   */
  maxConnections: number;
  /**
   * Connections one client address may hold at once; more are closed as they arrive. One user holds one or two (a
   * waiting check, an order), so this only stops a single address from holding thousands. The proxies trusted by
   * TRUST_PROXY (when given as addresses) are exempt; with TRUST_PROXY true or a hop count it is off, since any
   * peer may be a proxy. 0 = no cap.
   */
  maxConnectionsPerClient: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 0,
  maxConnectionsPerClient: 100,
};

/** proxy-addr's names, as Fastify's trustProxy accepts them */
const NAMED_RANGES: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']],
  linklocal: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']],
  uniquelocal: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']],
};

/** The addresses of a TRUST_PROXY list (addresses, CIDRs, loopback/linklocal/uniquelocal) as a BlockList to test peers. */
export function addressList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const named = NAMED_RANGES[entry];
    if (named) {
      for (const [address, prefix, family] of named) list.addSubnet(address, prefix, family);
      continue;
    }
    const [address, prefix] = entry.split('/');
    const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/**
 * Closes a connection as it arrives when its client already holds `max`, before it can send a byte: a refused one
 * costs an accept and a close, never a request. A client is what the rate limits count as one: an IPv4 address (also
 * written IPv4-mapped), or an IPv6 /64, which one subscriber gets whole and could otherwise spread over 2^64 addresses.
 */
export function capConnectionsPerClient(server: net.Server, max: number, exempt?: net.BlockList): void {
  const open = new Map<string, number>();
  server.prependListener('connection', (socket: net.Socket) => {
    const remote = socket.remoteAddress;
    if (!remote || exempt?.check(remote, net.isIPv6(remote) ? 'ipv6' : 'ipv4')) return;
    const address = normalizeIP(remote);
    const held = open.get(address) ?? 0;
    if (held >= max) {
      socket.destroy();
      return;
    }
    open.set(address, held + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

/** The soft open-files limit (`ulimit -n`) of this process, or null where /proc cannot tell (macOS). */
export function openFilesLimit(): number | null {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line ? Number(line.split(/\s+/)[3]) : NaN;
    return Number.isInteger(soft) && soft > 0 ? soft : null;
  } catch {
    return null;
  }
}

/**
 * A connection cap under the open-files limit, keeping a tenth of it (at least 64) for the database, its journal,
 * logs and outgoing requests; no cap when the limit is unknown or unlimited.
 */
export function defaultMaxConnections(limit = openFilesLimit()): number {
  if (limit === null || limit > 1_000_000) return 0;
  return Math.max(1, limit - Math.max(64, Math.ceil(limit / 10)));
}
