import { listOrgs } from "../../hub/accounts/list-accounts.ts";
import type { Command } from "../command.ts";
import { expectPositionals, withLocalHome, writeJson, writeTable } from "./local-home.ts";

export const orgListCommand: Command = {
  name: ["org", "list"],
  summary: "List organisations and their members",
  usesHome: true,
  async run({ positionals, config, json, stdout }) {
    expectPositionals(positionals, 0, "no arguments");
    const orgs = await withLocalHome(config, (hangar) => listOrgs(hangar));
    if (json) {
      writeJson(stdout, orgs);
      return;
    }
    writeTable(
      stdout,
      ["NAME", "FULLNAME", "MEMBERS"],
      orgs.map((org) => [
        org.name,
        org.fullname,
        org.members.map((member) => `${member.user}(${member.role})`).join(", "),
      ]),
      "No organisations yet: create one with `hangar org add NAME --member USER`",
    );
  },
};
