import { useJson } from "./files.tsx";
import { formatAge, formatCount, formatMs, formatNumber, formatUsd } from "./format.ts";

/** `/v1/health`: the router's routes and their deployments (URLs are hidden from all but admins). */
interface HealthReport {
  status: string;
  routes: Array<{
    name: string;
    state: string;
    policy?: string;
    deployments: Array<{
      id: string;
      backend: string;
      model: string;
      state: string;
      circuit: string;
      last_check: string | null;
      latency_ms: number | null;
      error_rate: number;
    }>;
  }>;
}

/** `/v1/usage` (metered requests; needs a token): only the totals are read. */
interface UsageReport {
  totals: {
    requests: number;
    errors?: number;
    tokens?: number;
    compute_seconds?: number;
    cost_usd?: number;
  };
}

const STATE_BADGE: Record<string, string> = { healthy: "good", probing: "warn", unhealthy: "bad" };

/**
 * Status of inference for one model: the local runtime, the router's routes that name it (as the route or
 * as a deployment's model) with each deployment's health, and its metered usage.
 */
export function InferenceStatus({
  id,
  task,
  served,
}: {
  id: string;
  task: string | undefined;
  served: { tasks: string[]; revision?: string } | undefined;
}) {
  const health = useJson<HealthReport>("/v1/health");
  const usage = useJson<UsageReport>(`/v1/usage?model=${encodeURIComponent(id)}`);
  const routes = (health.data?.routes ?? []).filter(
    (route) =>
      route.name === id ||
      route.deployments.some(
        (deployment) => deployment.model === id || deployment.model.startsWith(`${id}@`),
      ),
  );
  const others = (health.data?.routes.length ?? 0) - routes.length;
  return (
    <section class="inference-status" aria-labelledby="status-heading">
      <h3 id="status-heading">Status</h3>
      <p>
        {served
          ? `Served by this Hangar's local runtime (${served.tasks.join(", ")})${served.revision ? ` at revision ${served.revision.slice(0, 12)}` : ""}. Routes: POST /v1/inference/${task}, POST /models/${id}${task === "text-generation" ? ", POST /v1/chat/completions" : task === "feature-extraction" ? ", POST /v1/embeddings" : ""}.`
          : "Not served by this Hangar's local runtime."}
      </p>
      <h4>Routes and deployments</h4>
      {health.error ? (
        <p class="error" role="alert">
          Health could not be read: {health.error}
        </p>
      ) : !health.data ? (
        <p class="muted">Loading health…</p>
      ) : routes.length === 0 ? (
        <p class="muted">
          No route of the router names {id}
          {others > 0 ? ` (${others} other route${others === 1 ? "" : "s"} configured)` : ""}. Routes are set
          with PUT /v1/routes or a route file.
        </p>
      ) : (
        <table class="routes-table">
          <caption class="visually-hidden">Routes serving {id} and the health of their deployments</caption>
          <thead>
            <tr>
              <th scope="col">Route</th>
              <th scope="col">Deployment</th>
              <th scope="col">State</th>
              <th scope="col">Latency</th>
              <th scope="col">Errors</th>
              <th scope="col">Last check</th>
            </tr>
          </thead>
          <tbody>
            {routes.flatMap((route) =>
              route.deployments.map((deployment, index) => (
                <tr key={`${route.name}/${deployment.id}`}>
                  {index === 0 ? (
                    <th scope="rowgroup" rowSpan={route.deployments.length}>
                      {route.name}{" "}
                      <span class={`badge ${STATE_BADGE[route.state] ?? "muted"}`}>{route.state}</span>
                    </th>
                  ) : null}
                  <td>
                    {deployment.id}{" "}
                    <span class="muted">
                      ({deployment.backend}: {deployment.model})
                    </span>
                  </td>
                  <td>
                    <span class={`badge ${STATE_BADGE[deployment.state] ?? "muted"}`}>
                      {deployment.state}
                    </span>{" "}
                    <span class="muted">circuit {deployment.circuit}</span>
                  </td>
                  <td>{formatMs(deployment.latency_ms)}</td>
                  <td>{(deployment.error_rate * 100).toFixed(1)} %</td>
                  <td>{deployment.last_check ? formatAge(deployment.last_check) : "never"}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
      <h4>Usage</h4>
      <UsageFigures usage={usage} />
    </section>
  );
}

function UsageFigures({ usage }: { usage: ReturnType<typeof useJson<UsageReport>> }) {
  if (usage.status === 404 || usage.status === 501)
    return <p class="muted">This Hangar does not meter usage (no GET /v1/usage).</p>;
  if (usage.status === 401 || usage.status === 403)
    return <p class="muted">Usage figures need a token: save one under "Access token".</p>;
  if (usage.error)
    return (
      <p class="error" role="alert">
        Usage could not be read: {usage.error}
      </p>
    );
  if (!usage.data) return <p class="muted">Loading usage…</p>;
  const totals = usage.data.totals;
  if (!totals?.requests) return <p class="muted">No metered requests yet.</p>;
  return (
    <dl class="usage">
      <dt>Requests</dt>
      <dd>{formatNumber(totals.requests)}</dd>
      {totals.errors !== undefined ? (
        <>
          <dt>Errors</dt>
          <dd>{formatNumber(totals.errors)}</dd>
        </>
      ) : null}
      {totals.tokens !== undefined ? (
        <>
          <dt>Tokens</dt>
          <dd>{formatCount(totals.tokens)}</dd>
        </>
      ) : null}
      {totals.compute_seconds !== undefined ? (
        <>
          <dt>Compute</dt>
          <dd>{formatMs(totals.compute_seconds * 1000)}</dd>
        </>
      ) : null}
      {totals.cost_usd !== undefined ? (
        <>
          <dt>Cost</dt>
          <dd>{formatUsd(totals.cost_usd)}</dd>
        </>
      ) : null}
    </dl>
  );
}
