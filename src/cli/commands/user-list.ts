import { listUsers } from "../../hub/accounts/list-accounts.ts";
import type { Command } from "../command.ts";
import { expectPositionals, withLocalHome, writeJson, writeTable } from "./local-home.ts";

export const userListCommand: Command = {
  name: ["user", "list"],
  summary: "List users and the organisations they belong to",
  usesHome: true,
  async run({ positionals, config, json, stdout }) {
    expectPositionals(positionals, 0, "no arguments");
    const users = await withLocalHome(config, (hangar) => listUsers(hangar));
    if (json) {
      writeJson(stdout, users);
      return;
    }
    writeTable(
      stdout,
      ["NAME", "FULLNAME", "EMAIL", "ADMIN", "ORGS"],
      users.map((user) => [
        user.name,
        user.fullname,
        user.email ?? "",
        user.isAdmin ? "yes" : "",
        user.orgs.map((org) => org.name).join(","),
      ]),
      "No users yet: create one with `hangar user add NAME`",
    );
  },
};
