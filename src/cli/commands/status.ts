import { CONNECTION_OPTIONS, connectionOf, rejectExtraPositionals } from "../client/cli-options.ts";
import { apiError, withClientErrors } from "../client/hub-client.ts";
import type { Command } from "../command.ts";
import { writeJson, writeTable } from "./local-home.ts";

interface HealthAnswer {
  status: string;
  routes: Array<{
    name: string;
    state: string;
    deployments: Array<{
      id: string;
      backend: string;
      model: string;
      state: string;
      last_check: string | null;
      latency_ms: number | null;
      error_rate: number;
    }>;
  }>;
}

export const statusCommand: Command = {
  name: ["status"],
  summary: "Show the inference routes of a running Hangar and the health of their deployments",
  options: { ...CONNECTION_OPTIONS },
  async run(input) {
    rejectExtraPositionals(input, 0);
    const connection = connectionOf(input);
    const answer = await withClientErrors(connection, async () => {
      const response = await fetch(`${connection.hubUrl}/v1/health`, {
        headers: connection.accessToken ? { Authorization: `Bearer ${connection.accessToken}` } : {},
      });
      if (!response.ok) throw await apiError(response);
      return (await response.json()) as HealthAnswer;
    });
    if (input.json) {
      writeJson(input.stdout, answer);
      return;
    }
    input.stdout.write(`Routes: ${answer.status}\n`);
    writeTable(
      input.stdout,
      ["ROUTE", "DEPLOYMENT", "BACKEND", "MODEL", "STATE", "LAST CHECK", "LATENCY", "ERRORS"],
      answer.routes.flatMap((route) =>
        route.deployments.map((deployment) => [
          route.name,
          deployment.id,
          deployment.backend,
          deployment.model,
          deployment.state,
          deployment.last_check ?? "never",
          deployment.latency_ms === null ? "-" : `${deployment.latency_ms} ms`,
          `${Math.round(deployment.error_rate * 100)}%`,
        ]),
      ),
      "No routes: every model name runs locally (see --routes / HANGAR_ROUTES)",
    );
  },
};
