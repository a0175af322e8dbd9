import type { CommandInput, OptionSpec } from "../command.ts";
import { CONNECTION_OPTIONS, connectionOf, stringOption } from "./cli-options.ts";
import { type Connection, hubRequest, withClientErrors } from "./hub-client.ts";

/** The options of every `hangar endpoint` command: which server, which token, which namespace. */
export const ENDPOINT_OPTIONS: Record<string, OptionSpec> = {
  ...CONNECTION_OPTIONS,
  namespace: {
    type: "string",
    description: "The user or organisation the endpoint belongs to (default: the token's user)",
    valueName: "NAMESPACE",
  },
};

/** An endpoint as the v2 API answers it (the fields the CLI prints). */
export interface ApiEndpointView {
  name: string;
  type: string;
  provider: { vendor: string; region: string };
  compute: {
    instanceType: string;
    instanceSize: string;
    pricePerHour: number;
    scaling: { minReplica: number; maxReplica: number; scaleToZeroTimeout: number | null };
  };
  model: { repository: string; revision: string | null; task: string | null };
  remote?: { url: string };
  status: { state: string; message: string; url: string | null; readyReplica: number; targetReplica: number };
}

/** A call of the endpoints API on a running Hangar, as `namespace` (the token's user when not given). */
export class EndpointsClient {
  private constructor(
    readonly connection: Connection,
    readonly namespace: string,
  ) {}

  static async of(input: CommandInput): Promise<EndpointsClient> {
    const connection = connectionOf(input);
    let namespace = stringOption(input, "namespace");
    if (!namespace) {
      const whoami = await withClientErrors(connection, () =>
        hubRequest<{ name?: string }>(connection, "GET", `${connection.hubUrl}/api/whoami-v2`),
      );
      if (!whoami.name) throw new Error("Cannot tell whose endpoints to use: pass --namespace or a token");
      namespace = whoami.name;
    }
    return new EndpointsClient(connection, namespace);
  }

  request<T>(method: string, path = "", body?: unknown): Promise<T> {
    const url = `${this.connection.hubUrl}/api/endpoints/v2/endpoint/${encodeURIComponent(this.namespace)}${path}`;
    return withClientErrors(this.connection, () => hubRequest<T>(this.connection, method, url, body));
  }
}

/** One line per endpoint: name, state, replicas, model, URL. */
export function endpointLine(endpoint: ApiEndpointView): string {
  const status = endpoint.status;
  return [
    endpoint.name,
    status.state,
    `${status.readyReplica}/${status.targetReplica} replicas`,
    endpoint.remote
      ? `remote ${endpoint.remote.url}`
      : `${endpoint.model.repository}@${(endpoint.model.revision ?? "main").slice(0, 12)}`,
    status.url ?? "-",
  ].join("\t");
}
