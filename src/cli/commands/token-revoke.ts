import { badRequest } from "../../core/errors.ts";
import { revokeToken } from "../../hub/accounts/revoke-token.ts";
import type { Command } from "../command.ts";
import { expectPositionals, withLocalHome, writeJson } from "./local-home.ts";

export const tokenRevokeCommand: Command = {
  name: ["token", "revoke"],
  summary: "Revoke a token by its id (see `hangar token list`)",
  usage: "<id>",
  usesHome: true,
  async run({ positionals, config, json, stdout }) {
    const [text] = expectPositionals(positionals, 1, "<id>");
    const id = Number(text);
    if (!Number.isSafeInteger(id) || id <= 0)
      throw badRequest(`Invalid token id "${text}": expected a number`);
    const token = await withLocalHome(config, (hangar) => revokeToken(hangar, { id }));
    if (json) writeJson(stdout, { id: token.id, user: token.user, name: token.displayName, revoked: true });
    else stdout.write(`Revoked token ${token.id} ("${token.displayName}") of ${token.user}\n`);
  },
};
