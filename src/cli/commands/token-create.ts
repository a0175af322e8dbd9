import { badRequest } from "../../core/errors.ts";
import type { TokenRole } from "../../core/types.ts";
import { createToken } from "../../hub/accounts/manage-accounts.ts";
import type { Command } from "../command.ts";
import { expectPositionals, requiredOption, withLocalHome, writeJson } from "./local-home.ts";

const ROLES: readonly TokenRole[] = ["read", "write", "admin"];

export const tokenCreateCommand: Command = {
  name: ["token", "create"],
  summary: "Create an access token for a user and print it (it is shown only once)",
  usesHome: true,
  options: {
    user: { type: "string", description: "The user the token belongs to", valueName: "NAME" },
    role: { type: "string", description: "read, write, or admin (admin users only)", valueName: "ROLE" },
    name: { type: "string", description: "A name to recognise the token by", valueName: "DISPLAY" },
  },
  async run({ positionals, values, config, json, stdout, stderr }) {
    expectPositionals(positionals, 0, "no arguments");
    const user = requiredOption(values, "user");
    const role = requiredOption(values, "role");
    if (!(ROLES as readonly string[]).includes(role)) {
      throw badRequest(`Invalid role "${role}": expected one of ${ROLES.join(", ")}`);
    }
    const created = await withLocalHome(config, (hangar) =>
      createToken(hangar, {
        user,
        role: role as TokenRole,
        ...(typeof values.name === "string" ? { displayName: values.name } : {}),
      }),
    );
    if (json) {
      writeJson(stdout, {
        id: created.id,
        token: created.token,
        user: created.user,
        role: created.role,
        name: created.displayName,
      });
      return;
    }
    // The secret alone on stdout, so `$(hangar token create ...)` captures just the token.
    stdout.write(`${created.token}\n`);
    stderr.write(
      `Created ${created.role} token "${created.displayName}" (id ${created.id}) for ${created.user}; copy it now, it is not shown again.\n`,
    );
  },
};
