import { listTokens } from "../../hub/accounts/list-accounts.ts";
import type { Command } from "../command.ts";
import { expectPositionals, requiredOption, withLocalHome, writeJson, writeTable } from "./local-home.ts";

export const tokenListCommand: Command = {
  name: ["token", "list"],
  summary: "List a user's tokens (their ids, names and roles; never the secrets)",
  usesHome: true,
  options: {
    user: { type: "string", description: "Whose tokens to list", valueName: "NAME" },
  },
  async run({ positionals, values, config, json, stdout }) {
    expectPositionals(positionals, 0, "no arguments");
    const user = requiredOption(values, "user");
    const tokens = await withLocalHome(config, (hangar) => listTokens(hangar, user));
    if (json) {
      writeJson(
        stdout,
        tokens.map((token) => ({
          id: token.id,
          name: token.displayName,
          role: token.role,
          createdAt: token.createdAt,
          lastUsedAt: token.lastUsedAt,
        })),
      );
      return;
    }
    writeTable(
      stdout,
      ["ID", "NAME", "ROLE", "CREATED", "LAST USED"],
      tokens.map((token) => [
        String(token.id),
        token.displayName,
        token.role,
        token.createdAt,
        token.lastUsedAt ?? "never",
      ]),
      `${user} has no tokens`,
    );
  },
};
