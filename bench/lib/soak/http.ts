import http, { type Agent, type IncomingHttpHeaders } from "node:http";
import type { SoakRecorder } from "./recorder.ts";

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export interface SendParams {
  /** A path on the server (`/api/models`) or an absolute URL. */
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Follows same-server redirects (resolve may answer an LFS file with a 302). */
  followRedirects?: boolean;
}

/** Raised when no answer came: the connection failed, or the answer took longer than the request timeout. */
export class NoAnswerError extends Error {}

/**
 * One soak client's HTTP: its own keep-alive connection (as a client process would have), a timeout per
 * request (a stall shows as a failure rather than hanging the run), and every answer counted by the recorder.
 */
export class SoakHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly agent: Agent,
    private readonly recorder: SoakRecorder,
    private readonly timeoutMs: number,
  ) {}

  async send(params: SendParams): Promise<Answer> {
    let url = new URL(params.path, this.baseUrl).toString();
    for (let redirects = 0; ; redirects++) {
      const answer = await this.once(url, params);
      const location = answer.headers.location;
      if (!params.followRedirects || answer.status < 300 || answer.status >= 400 || !location) return answer;
      if (redirects >= 5) throw new NoAnswerError(`Too many redirects from ${params.path}`);
      url = new URL(location, url).toString();
    }
  }

  private once(url: string, params: SendParams): Promise<Answer> {
    const method = params.method ?? "GET";
    const label = `${method} ${url.replace(this.baseUrl, "")}`;
    const body = params.body;
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...params.headers,
            ...(body !== undefined ? { "Content-Length": String(Buffer.byteLength(body)) } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.once("error", (error) => fail(error));
          response.once("end", () => {
            clearTimeout(timer);
            const bytes = Buffer.concat(chunks);
            const status = response.statusCode ?? 0;
            this.recorder.observeHttp(label, status, () => bytes.toString("utf8"));
            resolve({
              status,
              headers: response.headers,
              body: bytes,
              text: () => bytes.toString("utf8"),
              json: <T>() => JSON.parse(bytes.toString("utf8")) as T,
            });
          });
        },
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        outgoing.destroy();
        reject(new NoAnswerError(`${label}: ${error.message}`));
      };
      const timer = setTimeout(
        () => fail(new Error(`no complete answer within ${this.timeoutMs / 1000} s`)),
        this.timeoutMs,
      );
      outgoing.once("error", (error) => fail(error));
      outgoing.end(body);
    });
  }
}

/**
 * A `fetch` for the `@huggingface/hub` client that counts every answer it gets (preupload, LFS batch, part
 * PUTs, commit) with the recorder, so a 5xx inside a client operation is not hidden behind its error.
 */
export function countingFetch(recorder: SoakRecorder, baseUrl: string): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url;
    const label = `${init?.method ?? "GET"} ${url.replace(baseUrl, "")}`;
    if (response.status >= 500) {
      const text = await response.clone().text();
      recorder.observeHttp(label, response.status, () => text);
    } else {
      recorder.observeHttp(label, response.status, () => "");
    }
    return response;
  };
}
