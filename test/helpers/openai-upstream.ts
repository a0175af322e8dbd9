import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the upstream answers its next requests. */
export type UpstreamMode =
  | { kind: "ok" }
  /** Answers every request with this status and an OpenAI error body. */
  | { kind: "fail"; status: number }
  /** Waits this long before answering (longer than a route's attempt timeout: a stalled upstream). */
  | { kind: "stall"; ms: number }
  /** Answers 429 with `Retry-After: seconds` to the next `times` requests, then normally. */
  | { kind: "rate-limit"; seconds: number; times: number }
  /** Streams the first token, then destroys the connection. */
  | { kind: "break-stream" };

export interface RequestSeen {
  method: string;
  url: string;
  at: number;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
}

/**
 * A small OpenAI-compatible server on 127.0.0.1 that the router tests use as a deployment: it answers
 * `/v1/chat/completions` (also streamed), `/v1/completions`, `/v1/embeddings` and `/v1/models` with words
 * that name it (`reply`), and can be told to fail, stall, rate-limit, break a stream, be killed and come
 * back on the same port. Every request is recorded.
 */
export class OpenAiUpstream {
  mode: UpstreamMode = { kind: "ok" };
  readonly seen: RequestSeen[] = [];
  private server: Server | undefined;
  port = 0;
  /** Extra routes (path prefix → handler), for stand-ins of other APIs on the same server. */
  readonly extra = new Map<
    string,
    (request: IncomingMessage, response: ServerResponse, body: Record<string, unknown> | undefined) => void
  >();

  /**
   * How many prompt tokens a request counts (5 when unset): a stand-in for the upstream's tokenizer, for
   * tests whose prices depend on it.
   */
  promptTokens: ((body: Record<string, unknown>) => number) | undefined;

  /** `reply` is what it generates, word by word (each word one streamed token). */
  constructor(readonly reply: string[] = ["hello", " from", " upstream"]) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<this> {
    const server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and cuts every open connection, as a crashed process would. */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Comes back on the same port. */
  restart(): Promise<this> {
    return this.start(this.port);
  }

  requests(path: string): RequestSeen[] {
    return this.seen.filter((request) => request.url.startsWith(path));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    this.seen.push({
      method: request.method ?? "GET",
      url: request.url ?? "/",
      at: Date.now(),
      body,
      authorization: request.headers.authorization,
    });
    for (const [prefix, handler] of this.extra) {
      if (request.url?.startsWith(prefix)) return handler(request, response, body);
    }
    const mode = this.mode;
    if (request.method === "GET" && request.url === "/v1/models") {
      return json(response, 200, { object: "list", data: [{ id: "upstream-model", object: "model" }] });
    }
    if (mode.kind === "fail") {
      return json(response, mode.status, {
        error: { message: `upstream failure ${mode.status}`, type: "server_error" },
      });
    }
    if (mode.kind === "rate-limit" && mode.times > 0) {
      mode.times--;
      response.setHeader("Retry-After", String(mode.seconds));
      return json(response, 429, { error: { message: "slow down", type: "rate_limit_error" } });
    }
    if (mode.kind === "stall") {
      await new Promise((resolve) => setTimeout(resolve, mode.ms));
      if (response.destroyed) return;
    }
    if (request.url === "/v1/embeddings") {
      const input = body?.input;
      const texts = Array.isArray(input) ? input : [input];
      return json(response, 200, {
        object: "list",
        data: texts.map((item, index) => ({ object: "embedding", index, embedding: vectorOf(String(item)) })),
        model: body?.model,
        usage: { prompt_tokens: texts.length * 2, total_tokens: texts.length * 2 },
      });
    }
    const chat = request.url === "/v1/chat/completions";
    if (!chat && request.url !== "/v1/completions")
      return json(response, 404, { error: { message: `no route ${request.url}` } });
    if (body?.stream === true) return this.stream(response, chat, mode.kind === "break-stream", body);
    const content = this.reply.join("");
    return json(response, 200, {
      id: "cmpl-upstream",
      object: chat ? "chat.completion" : "text_completion",
      created: 1,
      model: body?.model,
      choices: [
        chat
          ? { index: 0, message: { role: "assistant", content }, finish_reason: "stop" }
          : { index: 0, text: content, finish_reason: "stop" },
      ],
      usage: {
        prompt_tokens: this.promptTokens?.(body ?? {}) ?? 5,
        completion_tokens: this.reply.length,
        total_tokens: (this.promptTokens?.(body ?? {}) ?? 5) + this.reply.length,
      },
    });
  }

  private stream(
    response: ServerResponse,
    chat: boolean,
    breakAfterFirst: boolean,
    body: Record<string, unknown>,
  ): void {
    response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    const send = (value: unknown) => response.write(`data: ${JSON.stringify(value)}\n\n`);
    const chunk = (text: string, finish: string | null) =>
      chat
        ? {
            object: "chat.completion.chunk",
            model: body.model,
            choices: [{ index: 0, delta: { content: text }, finish_reason: finish }],
          }
        : {
            object: "text_completion",
            model: body.model,
            choices: [{ index: 0, text, finish_reason: finish }],
          };
    if (chat)
      send({
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }],
      });
    const words = breakAfterFirst ? this.reply.slice(0, 1) : this.reply;
    let index = 0;
    const next = () => {
      if (response.destroyed) return;
      if (index < words.length) {
        send(chunk(words[index++]!, null));
        setTimeout(next, 5);
        return;
      }
      if (breakAfterFirst) {
        response.destroy();
        return;
      }
      send(chunk("", "stop"));
      send({
        object: "chat.completion.chunk",
        choices: [],
        usage: { prompt_tokens: 5, completion_tokens: words.length },
      });
      response.end("data: [DONE]\n\n");
    };
    next();
  }
}

function json(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * A route file with one route, `name`, to `model` on `upstream`: no retries and no health probes, so the
 * upstream sees exactly the requests a test sends.
 */
export function oneRouteFile(upstream: OpenAiUpstream, name: string, model: string): string {
  return `health_interval_ms: 0
routes:
  - name: ${name}
    retries: 0
    deployments:
      - backend: openai
        url: ${upstream.url}/v1
        model: ${model}
`;
}

/** A small vector that depends on the text, so answers can be told apart and compared. */
export function vectorOf(text: string): number[] {
  return [text.length, text.charCodeAt(0) || 0, 1];
}
