// The LISTEN side of cross-instance wake-ups: one dedicated connection per instance (never a pooled one: a pooled
// connection would hand its LISTEN to whoever borrows it next), LISTENing on one channel whose payload is an order id.
//
// A notification sent while this connection is down is gone for good (PostgreSQL queues notifications only for
// sessions that are listening). So after every reconnect the listener calls `onResync`: the owner wakes every check
// it holds, each re-reads its order from the database, and a payment made during the gap is seen at once.
// A heartbeat query notices a connection that died without a TCP reset (a failover, a dropped NAT entry).

import pg from 'pg';
import { clientConfig, redact, type PgSettings } from './connection';

export interface ListenerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface ListenerOptions {
  settings: PgSettings;
  channel: string;
  onNotify(payload: string): void;
  /** the connection was lost and is back: every wake-up of the gap may have been missed */
  onResync(): void;
  log: ListenerLog;
  /** first reconnect delay; doubles up to maxBackoffMs, with jitter so instances do not reconnect in lockstep */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** a `SELECT 1` on the connection this often; no answer within the statement timeout counts as a lost connection */
  heartbeatMs?: number;
}

/** A channel name PostgreSQL accepts unquoted (LISTEN takes an identifier, not a parameter). */
const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export class PgListener {
  private client: pg.Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private everConnected = false;
  /** times the connection came back after a loss (for tests and diagnostics) */
  reconnects = 0;

  constructor(private readonly options: ListenerOptions) {
    if (!CHANNEL_PATTERN.test(options.channel)) throw new Error(`channel "${options.channel}" must match ${CHANNEL_PATTERN}`);
  }

  get connected(): boolean {
    return this.client !== null;
  }

  /** The first connection; rejects (with the pg error) when the database cannot be reached. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** The backend pid of the LISTEN connection (tests terminate it with pg_terminate_backend). */
  get backendPid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(clientConfig(this.options.settings, 'xwjf-backend listener'));
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      this.stopHeartbeat();
      client.removeAllListeners('notification');
      // pg emits 'error' after 'end' too; a listener keeps a stray one from crashing the process
      client.on('error', () => undefined);
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.options.log.warn(
        { reason: error ? redact(error.message, this.options.settings.url) : 'connection ended' },
        'wake-up listener lost its database connection; reconnecting',
      );
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload) this.options.onNotify(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      lost = true;
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.startHeartbeat(client, onLost);
    if (this.everConnected) {
      this.reconnects++;
      this.options.log.info({ reconnects: this.reconnects }, 'wake-up listener reconnected; waiting checks re-read their orders');
      this.options.onResync();
    }
    this.everConnected = true;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const initial = this.options.initialBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 5_000;
    const base = Math.min(max, initial * 2 ** this.attempt);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((error: Error) => {
        this.options.log.warn(
          { reason: redact(error.message, this.options.settings.url), attempt: this.attempt },
          'wake-up listener could not reconnect yet',
        );
        this.scheduleReconnect();
      });
    }, delay);
  }

  private startHeartbeat(client: pg.Client, onLost: (error?: Error) => void): void {
    const every = this.options.heartbeatMs ?? 15_000;
    this.heartbeatTimer = setInterval(() => {
      // query_timeout (clientConfig) rejects this when the connection stopped answering
      client.query('SELECT 1').catch((error: Error) => onLost(error));
    }, every);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopHeartbeat();
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }
}
