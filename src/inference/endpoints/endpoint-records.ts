import { HangarError } from "../../core/errors.ts";
import { visibleNamespaces } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { EndpointRow } from "../../store/endpoints-table.ts";
import type { EndpointRecord } from "./endpoint.ts";
import { ENDPOINT_STATES, type EndpointState } from "./endpoint-spec.ts";

/** Who may do what with endpoints, and endpoints as catalog rows: the endpoint service's helpers. */

/** Someone else's endpoints are not found, as on the Hub: they cannot be told from missing ones. */
export function notFound(namespace: string, name: string): HangarError {
  return new HangarError("HANGAR_ERR_NOT_FOUND", `Inference endpoint ${namespace}/${name} not found`);
}

/** Whether the caller is the namespace's user, a member of it (an organisation), or an admin. */
export function isMember(caller: Caller, namespace: string): boolean {
  const visible = visibleNamespaces(caller);
  return visible === "all" || visible.some((entry) => entry.toLowerCase() === namespace.toLowerCase());
}

/**
 * A remote endpoint makes this server send requests to its URL, with the value of the environment variable
 * it names as the token: only an admin may set one, or anyone could read the server's secrets or reach
 * hosts only the server can.
 */
export function assertMayPointElsewhere(caller: Caller): void {
  if (!caller?.isAdmin) {
    throw new HangarError(
      "HANGAR_ERR_FORBIDDEN",
      '"remote" needs an admin token: a remote endpoint makes this server call its URL with the token its environment variable holds',
    );
  }
}

export function changedFields(body: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(body).flatMap(([key, value]) =>
    value !== null && typeof value === "object" && !Array.isArray(value) && key !== "env"
      ? changedFields(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

export function rowOf(record: EndpointRecord): EndpointRow {
  return {
    namespace: record.namespace,
    name: record.name,
    spec: JSON.stringify(record.spec),
    state: record.state,
    message: record.message,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    createdBy: record.createdBy,
    updatedBy: record.updatedBy,
  };
}

export function recordOf(row: EndpointRow): EndpointRecord {
  const state = (ENDPOINT_STATES as readonly string[]).includes(row.state)
    ? (row.state as EndpointState)
    : "pending";
  return { ...row, spec: JSON.parse(row.spec), state };
}
