import { Counter, Gauge, type Registry } from "prom-client";
import type { Hangar } from "../../hangar.ts";

/** Registries that already have the endpoint metrics (one `HangarMetrics` may serve several apps). */
const registered = new WeakSet<Registry>();

/**
 * Each inference endpoint's numbers in `/metrics`, read from the endpoints when scraped (labelled by
 * `endpoint="namespace/name"`): state, replicas, requests, errors and tokens since start, latency and time
 * to first token quantiles, rates, availability, replica-hours and cost over the endpoints' window.
 */
export function registerEndpointMetrics(registry: Registry, hangar: Hangar): void {
  if (registered.has(registry)) return;
  registered.add(registry);
  const registers = [registry];
  const snapshot = () => hangar.endpoints.snapshot();
  const gauge = (name: string, help: string, read: (set: Gauge["set"]) => void, labels = ["endpoint"]) =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers,
      collect() {
        this.reset();
        read(this.set.bind(this));
      },
    });
  const counter = (
    name: string,
    help: string,
    value: (entry: ReturnType<typeof snapshot>[number]) => number,
  ) =>
    new Counter({
      name,
      help,
      labelNames: ["endpoint"],
      registers,
      collect() {
        this.reset();
        for (const entry of snapshot()) this.inc({ endpoint: entry.endpoint.id }, value(entry));
      },
    });
  gauge(
    "hangar_endpoint_state",
    "1 for the state each inference endpoint is in (running, scaledToZero, paused, failed...)",
    (set) => {
      for (const { endpoint } of snapshot()) set({ endpoint: endpoint.id, state: endpoint.state }, 1);
    },
    ["endpoint", "state"],
  );
  gauge("hangar_endpoint_replicas", "Replicas of each inference endpoint ready now", (set) => {
    for (const { endpoint } of snapshot()) set({ endpoint: endpoint.id }, endpoint.readyReplicas);
  });
  counter(
    "hangar_endpoint_requests_total",
    "Requests each endpoint answered or failed since start",
    (entry) => entry.endpoint.metrics.totals.requests,
  );
  counter(
    "hangar_endpoint_errors_total",
    "Requests each endpoint failed since start",
    (entry) => entry.endpoint.metrics.totals.errors,
  );
  counter(
    "hangar_endpoint_output_tokens_total",
    "Tokens each endpoint generated since start",
    (entry) => entry.endpoint.metrics.totals.outputTokens,
  );
  counter(
    "hangar_endpoint_replica_hours_total",
    "Replica-hours each endpoint has run since start",
    (entry) => entry.report.cost.replica_hours,
  );
  counter(
    "hangar_endpoint_cost_usd_total",
    "Cost of each endpoint since start: replica-hours times its price",
    (entry) => entry.report.cost.usd,
  );
  const quantiles = (name: string, help: string, pick: "latency_ms" | "time_to_first_token_ms") =>
    gauge(
      name,
      help,
      (set) => {
        for (const { endpoint, report } of snapshot()) {
          for (const [quantile, label] of [
            ["p50", "0.5"],
            ["p95", "0.95"],
            ["p99", "0.99"],
          ] as const) {
            const ms = report[pick][quantile];
            if (ms !== null) set({ endpoint: endpoint.id, quantile: label }, ms / 1000);
          }
        }
      },
      ["endpoint", "quantile"],
    );
  quantiles(
    "hangar_endpoint_latency_seconds",
    "Request latency quantiles of each endpoint (last 15 minutes)",
    "latency_ms",
  );
  quantiles(
    "hangar_endpoint_time_to_first_token_seconds",
    "Time to first token quantiles of each endpoint's streams (last 15 minutes)",
    "time_to_first_token_ms",
  );
  const rate = (
    name: string,
    help: string,
    value: (report: ReturnType<typeof snapshot>[number]["report"]) => number | null,
  ) =>
    gauge(name, help, (set) => {
      for (const { endpoint, report } of snapshot()) {
        const number = value(report);
        if (number !== null) set({ endpoint: endpoint.id }, number);
      }
    });
  rate(
    "hangar_endpoint_requests_per_second",
    "Requests per second of each endpoint (last 15 minutes)",
    (r) => r.requests_per_second,
  );
  rate(
    "hangar_endpoint_tokens_per_second",
    "Tokens generated per second of generation (last 15 minutes)",
    (r) => r.tokens_per_second,
  );
  rate(
    "hangar_endpoint_error_rate",
    "Share of each endpoint's requests that failed (last 15 minutes)",
    (r) => r.error_rate,
  );
  rate(
    "hangar_endpoint_availability",
    "Share of each endpoint's requests it did not fail itself (no 5xx or 429; last 15 minutes)",
    (r) => r.availability,
  );
}
