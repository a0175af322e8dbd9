import type { FastifyInstance } from "fastify";

/** Statuses whose responses have no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A `fetch` that hands requests for `baseUrl` to the app in-process through Fastify's `inject()` (no socket,
 * no port), and sends any other URL (a redirect to a presigned S3 URL, say) over the network as usual. Tests
 * that check what a route answers use it; tests with real clients keep the real port.
 */
export function injectFetch(app: FastifyInstance, baseUrl: string): typeof fetch {
  const origin = new URL(baseUrl).origin;
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== origin) return fetch(request);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    // The Host a client would send: links the server builds point back at the same base URL.
    const headers: Record<string, string> = { host: url.host };
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const answer = await app.inject({
      method: request.method as "GET",
      url: `${url.pathname}${url.search}`,
      headers,
      ...(body ? { payload: body } : {}),
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(item));
    }
    return new Response(
      NULL_BODY.has(answer.statusCode) || request.method === "HEAD" ? null : answer.rawPayload,
      { status: answer.statusCode, headers: responseHeaders },
    );
  };
}
