import type { RequestContext } from "../router.ts";

/**
 * The `Link` header to the next page: an absolute URL on the client-visible base that repeats every query
 * parameter of the request, with `cursor` set. Clients follow it as is (JS requires `http(s)://` and a
 * space after `;`).
 */
export function nextPageLink(context: RequestContext, cursor: string): Record<string, string> {
  const query = new URLSearchParams(context.url.searchParams);
  query.delete("cursor");
  query.append("cursor", cursor);
  return { Link: `<${context.baseUrl}${context.rawPath}?${query.toString()}>; rel="next"` };
}
