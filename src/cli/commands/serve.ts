import { parseMetricsPort } from "../../core/config.ts";
import { seedFactoryModels } from "../../factory/seed-factory-models.ts";
import { createHangar } from "../../hangar.ts";
import { listUsers } from "../../hub/accounts/list-accounts.ts";
import { importCatalogSnapshot } from "../../hub/catalog/import-snapshot.ts";
import { seedDemoRepos } from "../../hub/seed-demo.ts";
import { importPackagedModels } from "../../inference/adapters/packaged-models.ts";
import { createServer, listen } from "../../server/create-server.ts";
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
    const server = createServer(hangar);
    // Committed files are scanned in the background from now on (and what a restart left unscanned).
    hangar.scans.start();
    const url = await listen(server, config.host, config.port).catch((error: Error) => {
      throw new Error(`Cannot listen on ${config.host} port ${config.port}: ${error.message}`);
    });
    let message = json
      ? `${JSON.stringify({ url, home: config.home })}\n`
      : `Hangar is serving ${config.home} at ${url}\n`;
    if (!json && !config.adminToken && (await listUsers(hangar)).length === 0) {
      const home = `--home ${JSON.stringify(config.home)}`;
      message += `No users yet. To get a token for writing, run:\n  hangar user add NAME ${home}\n  hangar token create --user NAME --role write ${home}\n`;
    }
    // Commands working on this home (import, make-model) link to this server rather than to a guessed port.
    const forgetServer = recordServer(config.home, url);
    // One write, so whoever reads the URL from the first chunk also gets the hint.
    stdout.write(message);
    const stop = () => {
      forgetServer();
      server.close();
      server.closeAllConnections();
      void hangar.close().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    await new Promise(() => {});
  },
};
