import { requiredPositional } from "../client/cli-options.ts";
import { type ApiEndpointView, ENDPOINT_OPTIONS, EndpointsClient } from "../client/endpoints-client.ts";
import type { Command } from "../command.ts";

interface Quantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

interface MetricsReport {
  window_seconds: number;
  requests: number;
  requests_per_second: number;
  latency_ms: Quantiles;
  time_to_first_token_ms: Quantiles;
  tokens_per_second: number | null;
  error_rate: number;
  availability: number | null;
  replicas: { current: number; history: Array<{ at: string; replicas: number }> };
  cost: { price_per_replica_hour: number; replica_hours: number; usd: number; since: string };
}

function ms(quantiles: Quantiles): string {
  const show = (value: number | null) => (value === null ? "-" : `${value} ms`);
  return `p50 ${show(quantiles.p50)}, p95 ${show(quantiles.p95)}, p99 ${show(quantiles.p99)}`;
}

export const endpointDescribeCommand: Command = {
  name: ["endpoint", "describe"],
  summary:
    "Show an inference endpoint: its settings, state, URL and numbers (latency, tokens/s, replicas, cost)",
  usage: "<name>",
  options: ENDPOINT_OPTIONS,
  async run(input) {
    const name = encodeURIComponent(requiredPositional(input, 0, "<name>"));
    const client = await EndpointsClient.of(input);
    const endpoint = await client.request<ApiEndpointView>("GET", `/${name}`);
    const metrics = await client.request<MetricsReport>("GET", `/${name}/metrics`);
    if (input.json) {
      input.stdout.write(`${JSON.stringify({ ...endpoint, metrics })}\n`);
      return;
    }
    const { compute, status } = endpoint;
    const lines = [
      `name: ${client.namespace}/${endpoint.name}`,
      `state: ${status.state} (${status.message})`,
      `url: ${status.url ?? "-"}`,
      endpoint.remote
        ? `remote: ${endpoint.remote.url}`
        : `model: ${endpoint.model.repository}@${endpoint.model.revision ?? "main"} (${endpoint.model.task ?? "any task"})`,
      `type: ${endpoint.type}`,
      `compute: ${endpoint.provider.vendor} ${endpoint.provider.region} ${compute.instanceType} ${compute.instanceSize}, ${compute.pricePerHour} USD per replica-hour`,
      `replicas: ${status.readyReplica} ready of ${status.targetReplica} (min ${compute.scaling.minReplica}, max ${compute.scaling.maxReplica}${compute.scaling.scaleToZeroTimeout === null ? "" : `, scale to zero after ${compute.scaling.scaleToZeroTimeout} min`})`,
      `requests: ${metrics.requests} in the last ${metrics.window_seconds} s (${metrics.requests_per_second}/s), error rate ${metrics.error_rate}, availability ${metrics.availability ?? "-"}`,
      `latency: ${ms(metrics.latency_ms)}`,
      `time to first token: ${ms(metrics.time_to_first_token_ms)}`,
      `tokens/s: ${metrics.tokens_per_second ?? "-"}`,
      `replicas over time: ${metrics.replicas.history.map((point) => `${point.at.slice(11, 19)} ${point.replicas}`).join(", ") || "-"}`,
      `cost: ${metrics.cost.usd} USD (${metrics.cost.replica_hours} replica-hours since ${metrics.cost.since})`,
    ];
    input.stdout.write(`${lines.join("\n")}\n`);
  },
};
