import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Hangar } from "../../hangar.ts";
import { sendError } from "../http.ts";
import { HANGAR_ERRORS, type NativeApp, OPTIONAL_TOKEN, openObject } from "../native/schemas.ts";
import { taskRequestBytes } from "../routes/inference.ts";
import { createMcpServer } from "./mcp-tools.ts";

/** A JSON-RPC message or a batch of them. */
const MCP_BODY_SCHEMA = { type: ["object", "array"] } as const;

/**
 * `POST /mcp`: the Model Context Protocol over Streamable HTTP, stateless (no session: each request brings
 * its own messages and gets its answers as JSON). The caller is resolved from the bearer token by the same
 * hook as every route (an unknown token is 401, none is anonymous and sees public repos only), and one MCP
 * server is built per request for that caller, so nothing of one caller's view outlives its request. The
 * body is read and size-checked by the native routes' parser; tool calls may carry inference inputs, so the
 * limit is the largest a task takes. GET and DELETE (a session's stream and end) get 405 from the router.
 */
export function registerMcpRoute(
  app: NativeApp,
  hangar: Hangar,
  routes: ReadonlyArray<{ method: string; url: string }>,
): void {
  app.post(
    "/mcp",
    {
      schema: {
        summary: "Model Context Protocol (Streamable HTTP, stateless): tools for agents",
        tags: ["mcp"],
        security: OPTIONAL_TOKEN,
        body: openObject({}, "a JSON-RPC message (or a list of them) of the Model Context Protocol"),
        response: { 200: openObject({}, "the JSON-RPC answer"), ...HANGAR_ERRORS },
      },
      config: {
        jsonBody: { schema: MCP_BODY_SCHEMA, maxBytes: taskRequestBytes(hangar, undefined) },
      },
    },
    async (request, reply) => {
      const server = createMcpServer({ hangar, caller: request.caller, routes });
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      reply.hijack();
      reply.raw.on("close", () => {
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (error) {
        // The transport answers protocol errors itself; anything else, before an answer began, in Hangar's shape.
        if (!reply.raw.headersSent) sendError(reply.raw, error, request.log);
        else reply.raw.destroy();
      }
    },
  );
}
