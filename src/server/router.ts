import type { IncomingMessage, ServerResponse } from "node:http";
import type { Hangar } from "../hangar.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { ErrorLog } from "./http.ts";

/** What a handler gets for one request. */
export interface RequestContext {
  hangar: Hangar;
  request: IncomingMessage;
  response: ServerResponse;
  method: string;
  /** The path as sent, still percent-encoded: the Hub's routes must not decode `%2F` before matching. */
  rawPath: string;
  url: URL;
  /** Raw (still encoded) path segments captured by the route pattern, by name. */
  params: Record<string, string>;
  /** Segments captured by a trailing `*name`, still encoded. */
  rest: string[];
  /** The caller, resolved from the Authorization header (null when anonymous). */
  caller: Caller;
  /** The base URL clients see, without a trailing slash. */
  baseUrl: string;
  /** The request's logger (unexpected errors go there). */
  log: ErrorLog;
}

export type Handler = (context: RequestContext) => Promise<void> | void;

/** How a route treats its requests before the handler runs. */
export interface RouteOptions {
  /**
   * OpenAI's clients refuse to run without an API key, so users of local servers pass a placeholder ("none",
   * "sk-no-key-required", "ollama"). On such a route a bearer not shaped like a Hangar token counts as none:
   * the caller is anonymous, and nothing is counted as a failed authentication.
   */
  acceptsPlaceholderKeys?: boolean;
  /**
   * git and git-lfs send a token as HTTP Basic credentials (the password): on such a route they are
   * resolved as a bearer token is, with its throttle and audit, and a refusal carries the Basic challenge.
   */
  acceptsBasicAuth?: boolean;
  /**
   * The route is served by a native Fastify route (`src/server/native/`); it is listed here so the Router
   * still answers 405 with `Allow` for its other methods, and lists it with the rest.
   */
  native?: boolean;
  /**
   * `X-Request-Id` is returned only when the client sent one (a generated id is still logged). For answers
   * whose text a client shows with the id appended (huggingface.js's LFS batch errors).
   */
  requestIdOnlyWhenSent?: boolean;
  /** One line for the API reference (`/openapi.json`). */
  summary?: string;
  /**
   * The route answers only requests that ask for a page (`Accept: text/html`, a browser): the web UI's
   * copies of the Hub's page URLs. Any other request passes over it as if it were not there, so git, the
   * Hub's clients and the API answer exactly as without it.
   */
  pageOnly?: boolean;
}

interface Route {
  methods: string[];
  pattern: string;
  segments: string[];
  handler: Handler;
  options: RouteOptions;
}

/**
 * A small router over raw path segments. Patterns are `/`-separated: `:name` captures one segment,
 * `:name(a|b)` one of the listed values, `*name` the rest (zero or more segments); anything else is literal.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(methods: string | string[], pattern: string, handler: Handler, options: RouteOptions = {}): this {
    this.routes.push({
      methods: Array.isArray(methods) ? methods : [methods],
      pattern,
      segments: pattern.split("/").filter(Boolean),
      handler,
      options,
    });
    return this;
  }

  /** Every route, as registered: for documentation and for tests that go over all of them. */
  list(): Array<{ methods: readonly string[]; pattern: string; options: RouteOptions }> {
    return this.routes.map(({ methods, pattern, options }) => ({ methods, pattern, options }));
  }

  /**
   * Finds the route for a path; `allowed` lists the methods of routes that matched the path but not the
   * method. `wantsPage`: the request asks for HTML (see `RouteOptions.pageOnly`).
   */
  match(
    method: string,
    segments: string[],
    wantsPage = false,
  ):
    | {
        handler: Handler;
        options: RouteOptions;
        pattern: string;
        params: Record<string, string>;
        rest: string[];
      }
    | { allowed: string[] } {
    const allowed: string[] = [];
    for (const route of this.routes) {
      if (route.options.pageOnly && !wantsPage) continue;
      const captured = matchSegments(route.segments, segments);
      if (!captured) continue;
      if (route.methods.includes(method) || (method === "HEAD" && route.methods.includes("GET"))) {
        return { handler: route.handler, options: route.options, pattern: route.pattern, ...captured };
      }
      allowed.push(...route.methods);
    }
    return { allowed };
  }
}

function matchSegments(
  pattern: string[],
  segments: string[],
): { params: Record<string, string>; rest: string[] } | null {
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const part = pattern[index]!;
    if (part.startsWith("*")) return { params, rest: segments.slice(index) };
    const segment = segments[index];
    if (segment === undefined) return null;
    if (part.startsWith(":")) {
      const choice = /^:(\w+)\(([^)]+)\)$/.exec(part);
      if (choice) {
        if (!choice[2]!.split("|").includes(segment)) return null;
        params[choice[1]!] = segment;
      } else {
        params[part.slice(1)] = segment;
      }
    } else if (part !== segment) {
      return null;
    }
  }
  return pattern.length === segments.length ? { params, rest: [] } : null;
}
