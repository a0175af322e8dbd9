import { getOrg } from "../../hub/accounts/list-accounts.ts";
import { createOrg } from "../../hub/accounts/manage-accounts.ts";
import type { Command } from "../command.ts";
import { expectPositionals, withLocalHome, writeJson } from "./local-home.ts";

export const orgAddCommand: Command = {
  name: ["org", "add"],
  summary: "Create an organisation, or add members to an existing one",
  usage: "<name>",
  usesHome: true,
  options: {
    member: {
      type: "string",
      multiple: true,
      description: "A user to add as a member with write access (repeatable)",
      valueName: "USER",
    },
    fullname: { type: "string", description: "Display name of a new organisation", valueName: "TEXT" },
  },
  async run({ positionals, values, config, json, stdout }) {
    const [name] = expectPositionals(positionals, 1, "<name>");
    const members = (Array.isArray(values.member) ? values.member : []).filter(
      (member): member is string => typeof member === "string",
    );
    const { org, created } = await withLocalHome(config, async (hangar) => {
      const existed = (await getOrg(hangar, name!)) !== undefined;
      await createOrg(hangar, {
        name: name!,
        members,
        ...(typeof values.fullname === "string" ? { fullname: values.fullname } : {}),
      });
      return { org: (await getOrg(hangar, name!))!, created: !existed };
    });
    if (json) {
      writeJson(stdout, { ...org, created });
      return;
    }
    const list = org.members.map((member) => member.user).join(", ") || "none";
    stdout.write(`${created ? "Created organisation" : "Organisation"} ${org.name}; members: ${list}\n`);
  },
};
