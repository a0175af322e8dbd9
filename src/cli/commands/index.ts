import type { Command } from "../command.ts";
import { importCommand } from "./import.ts";
import { orgAddCommand } from "./org-add.ts";
import { orgListCommand } from "./org-list.ts";
import { serveCommand } from "./serve.ts";
import { tokenCreateCommand } from "./token-create.ts";
import { tokenListCommand } from "./token-list.ts";
import { tokenRevokeCommand } from "./token-revoke.ts";
import { userAddCommand } from "./user-add.ts";
import { userListCommand } from "./user-list.ts";

/** Every CLI command. Add new ones here. */
export const COMMANDS: Command[] = [
  serveCommand,
  importCommand,
  userAddCommand,
  userListCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  orgAddCommand,
  orgListCommand,
];
