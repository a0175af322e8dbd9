import { parseMetricsPort } from "../../core/server-config.ts";
import { warmSearchIndex } from "../../discovery/index.ts";
import { seedFactoryModels } from "../../factory/seed-factory-models.ts";
import { createHangar } from "../../hangar.ts";
import { listUsers } from "../../hub/accounts/list-accounts.ts";
import { importCatalogSnapshot } from "../../hub/catalog/import-snapshot.ts";
import { seedDemoRepos } from "../../hub/seed-demo.ts";
import { refreshTrendingScores } from "../../hub/social/refresh-trending-scores.ts";
import { importPackagedModels } from "../../inference/adapters/packaged-models.ts";
import { createApp, listen } from "../../server/create-server.ts";
import { startMetricsListener } from "../../server/operations/metrics-listener.ts";
import { gracefulShutdown } from "../../server/operations/shutdown.ts";
import { createWindowCounter } from "../../store/redis-window-counter.ts";
import type { Command } from "../command.ts";
import { recordServer } from "./local-home.ts";

export const serveCommand: Command = {
  name: ["serve"],
  summary: "Start the Hangar server",
  usesHome: true,
  options: {
    host: {
      type: "string",
      description: "Address to listen on (HANGAR_HOST, default 127.0.0.1)",
      valueName: "HOST",
    },
    port: {
      type: "string",
      description: "Port to listen on (HANGAR_PORT, default 7860; 0 picks a free one)",
      valueName: "PORT",
    },
    "pull-through": {
      type: "boolean",
      description:
        "Pull repos this instance lacks from the upstream (HF_ENDPOINT) on first read (HANGAR_PULL_THROUGH=1)",
    },
    "metrics-port": {
      type: "string",
      description:
        "Also serve GET /metrics without authentication on this port, for a scraper (HANGAR_METRICS_PORT)",
      valueName: "PORT",
    },
    "log-level": {
      type: "string",
      description:
        "Request log level: fatal, error, warn, info, debug, trace or silent (HANGAR_LOG_LEVEL, default info)",
      valueName: "LEVEL",
    },
    routes: {
      type: "string",
      description:
        "Inference route file: model names to deployments elsewhere, reloaded on change (HANGAR_ROUTES)",
      valueName: "FILE",
    },
    "trust-proxy": {
      type: "boolean",
      description:
        "Believe X-Forwarded-Host, -Proto and -For from a reverse proxy in front (HANGAR_TRUST_PROXY=1)",
    },
  },
  async run({ config: resolved, values, stdout, json }) {
    const config = {
      ...resolved,
      ...(values["pull-through"] ? { pullThrough: true } : {}),
      ...(values["trust-proxy"] ? { trustProxy: true } : {}),
      ...(typeof values["metrics-port"] === "string"
        ? { metricsPort: parseMetricsPort(values["metrics-port"], "--metrics-port") }
        : {}),
    };
    const hangar = await createHangar(config);
    if (config.seedDemo) {
      await seedDemoRepos(hangar);
      await seedFactoryModels(hangar);
      await importPackagedModels(hangar);
    }
    // Idempotent: a snapshot version already imported is skipped at once.
    if (config.importCatalog) await importCatalogSnapshot(hangar.catalog);
    const counter = await createWindowCounter(config);
    const app = await createApp(hangar, { counter });
    const server = app.server;
    // Committed files are scanned in the background from now on (and what a restart left unscanned).
    hangar.scans.start();
    // Batch jobs run in the background, resuming what a stop or crash left (src/workflows/batch).
    hangar.batches.start();
    // Inference endpoints come back in the state they were in (src/inference/endpoints).
    void hangar.endpoints.start();
    // Budget reservations that a process which died never settled are released (src/governance/budgets).
    hangar.spend.start();
    const url = await listen(server, config.host, config.port).catch((error: Error) => {
      throw new Error(`Cannot listen on ${config.host} port ${config.port}: ${error.message}`);
    });
    // The search index is read from its snapshot (or built) now, in the background, so the first search — the
    // Explorer's first page — does not wait for it. Not awaited: the server answers meanwhile, and a search
    // arriving first waits for this one. The snapshot's parts a query reads on first use are read ahead, one
    // per turn of the event loop (at 1 M models the largest, the postings, is tens of MB); a build (no snapshot
    // yet) and the snapshot written after it hold it up to about 0.5 s at a time at 1 M models.
    let stopping = false;
    void warmSearchIndex(hangar).catch((error: Error) => {
      if (!stopping) process.emitWarning(`hangar search index: ${error.message}`);
    });
    // Webhook deliveries queued in the catalog (by this node, another one, or before a restart) go out from now on.
    hangar.webhooks.start({ baseUrl: config.publicUrl ?? url });
    // Trending scores fade as days pass without traffic: recomputed every hour (and once now).
    const rescore = () =>
      void refreshTrendingScores(hangar).catch((error: Error) =>
        process.emitWarning(`hangar trending: ${error.message}`),
      );
    rescore();
    setInterval(rescore, 3_600_000).unref();
    let message = json
      ? `${JSON.stringify({ url, home: config.home })}\n`
      : `Hangar is serving ${config.home} at ${url}\n`;
    if (!json && !config.adminToken && (await listUsers(hangar)).length === 0) {
      const home = `--home ${JSON.stringify(config.home)}`;
      message += `No users yet. To get a token for writing, run:\n  hangar user add NAME ${home}\n  hangar token create --user NAME --role write ${home}\n`;
    }
    // Commands working on this home (import, make-model) link to this server rather than to a guessed port.
    const forgetServer = recordServer(config.home, url);
    const metricsListener =
      config.metricsPort !== undefined
        ? await startMetricsListener(app.hangarOperations.metrics, {
            host: config.host,
            port: config.metricsPort,
          })
        : undefined;
    if (metricsListener && !json) message += `Metrics for scrapers at ${metricsListener.url}/metrics\n`;
    // One write, so whoever reads the URL from the first chunk also gets the hint.
    stdout.write(message);
    // SIGTERM (and SIGINT): /ready turns 503, no new connections, requests in flight finish (up to
    // HANGAR_SHUTDOWN_TIMEOUT), then everything closes.
    const stop = () => {
      stopping = true;
      forgetServer();
      void gracefulShutdown(server, hangar, {
        onDrain: () => app.hangarOperations.drain(),
        closeAlso: [async () => metricsListener?.close(), () => app.close(), () => counter.close()],
      }).then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    await new Promise(() => {});
  },
};
