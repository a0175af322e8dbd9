import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { OutboundPolicy } from "../../src/core/outbound-url.ts";
import type { TestHangar } from "./test-hangar.ts";

/** The receivers of these tests listen on 127.0.0.1, which an instance only sends to when told it may. */
export const PRIVATE_TARGETS_ALLOWED: OutboundPolicy = { allowPrivate: true, hosts: [], networks: [] };

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 (or `host`) that answers each request with the next status of `statuses` (then 200). */
export async function startReceiver(
  statuses: number[] = [],
  host = "127.0.0.1",
): Promise<{ url: string; port: number; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(statuses.shift() ?? 200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://${host}:${port}/hook`, port, received, server };
}

export interface ApiWebhook {
  id: string;
  url: string;
  watched: Array<{ type: string; name: string }>;
  domains: string[];
  secret: string | null;
  disabled: boolean;
  disabledReason: string | null;
}

export interface ApiDelivery {
  event: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  error: string | null;
}

/** The JSON `huggingface_hub` sends to the webhook routes (requests' `json=`), with its token. */
export async function hubJson<T = { webhook: ApiWebhook; error: string }>(
  hub: TestHangar,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; json: T }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: (text ? JSON.parse(text) : undefined) as T,
  };
}
