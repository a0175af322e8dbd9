import type { Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { authenticate } from "../../hub/accounts/authenticate.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import { createMcpServer } from "../../server/mcp/mcp-tools.ts";
import { NATIVE_ROUTES } from "../../server/native/native-routes.ts";
import type { Command } from "../command.ts";
import { withLocalHome } from "./local-home.ts";

/**
 * `hangar mcp`: the Model Context Protocol over stdio for an agent that starts Hangar itself (Claude Desktop,
 * an IDE): JSON-RPC on stdin and stdout, nothing else written to stdout. It works on the home folder as
 * `hangar search` does, as its owner, unless `--token` names whose view to take; it stops when stdin ends.
 */
export const mcpCommand: Command = {
  name: ["mcp"],
  summary: "Serve the Model Context Protocol over stdio (tools: search, details, compare, recommend, run)",
  usesHome: true,
  options: {
    token: {
      type: "string",
      description: "Act as this token's user (sees what it may read); the home's owner by default",
      valueName: "TOKEN",
    },
  },
  async run({ values, config, stdout }) {
    await withLocalHome(config, async (hangar) => {
      const token = typeof values.token === "string" ? values.token : undefined;
      const caller = token ? await authenticate(hangar, token) : localAdministrator();
      const server = createMcpServer({ hangar, caller, routes: NATIVE_ROUTES });
      const stdin = process.stdin;
      const ended = new Promise<void>((resolve) => {
        stdin.once("end", resolve);
        stdin.once("close", resolve);
      });
      await server.connect(new StdioServerTransport(stdin, stdout as Writable));
      await ended;
      await server.close();
    });
  },
};
