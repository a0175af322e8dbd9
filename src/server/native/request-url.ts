import type { FastifyRequest } from "fastify";

/**
 * The request's URL as sent (query included), parsed: handlers read repeated query parameters and their
 * order from it as they did before Fastify parsed queries.
 */
export function requestUrl(request: FastifyRequest): URL {
  return new URL(request.raw.url ?? "/", "http://placeholder");
}
