import { createUser } from "../../hub/accounts/manage-accounts.ts";
import type { Command } from "../command.ts";
import { expectPositionals, withLocalHome, writeJson } from "./local-home.ts";

export const userAddCommand: Command = {
  name: ["user", "add"],
  summary: "Create a user",
  usage: "<name>",
  usesHome: true,
  options: {
    fullname: { type: "string", description: "Display name", valueName: "TEXT" },
    email: { type: "string", description: "Email address", valueName: "EMAIL" },
    admin: { type: "boolean", description: "Make the user an administrator of the instance" },
  },
  async run({ positionals, values, config, json, stdout }) {
    const [name] = expectPositionals(positionals, 1, "<name>");
    const user = await withLocalHome(config, (hangar) =>
      createUser(hangar, {
        name: name!,
        ...(typeof values.fullname === "string" ? { fullname: values.fullname } : {}),
        ...(typeof values.email === "string" ? { email: values.email } : {}),
        isAdmin: Boolean(values.admin),
      }),
    );
    if (json) writeJson(stdout, user);
    else stdout.write(`Created ${user.isAdmin ? "admin " : ""}user ${user.name}\n`);
  },
};
