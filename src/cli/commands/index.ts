import type { Command } from "../command.ts";
import { serveCommand } from "./serve.ts";

/** Every CLI command. Add new ones here. */
export const COMMANDS: Command[] = [serveCommand];
