import pg from "pg";

/** How long to wait before connecting again after the listening connection was lost. */
const RECONNECT_MS = 1000;

/**
 * LISTEN on one channel over a connection of its own (a pooled one would be handed to other work). When the
 * connection is lost it reconnects, and then calls `onNotify(undefined)`: notifications sent meanwhile are
 * lost, so a follower must treat that call as "read the change feed again", never rely on payloads alone.
 */
export class PostgresListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onNotify: (payload: string | undefined) => void,
  ) {}

  /** Starts listening; resolves once LISTEN is in place (fails if the first connection fails). */
  static async start(
    url: string,
    channel: string,
    onNotify: (payload: string | undefined) => void,
  ): Promise<PostgresListener> {
    const listener = new PostgresListener(url, channel, onNotify);
    await listener.connect();
    return listener;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (message) => {
      if (message.channel === this.channel) this.onNotify(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    } catch (error) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().then(
        () => {
          if (!this.stopped) this.onNotify(undefined);
        },
        () => this.scheduleReconnect(),
      );
    }, RECONNECT_MS);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
