import { HangarError } from "../core/errors.ts";
import type { Caller, Principal } from "../hub/accounts/principal.ts";

/** The caller, who must have a token: batch files, jobs and pipelines belong to a user. */
export function requireUser(caller: Caller): Principal {
  if (!caller) {
    throw new HangarError(
      "HANGAR_ERR_UNAUTHORIZED",
      "This needs a token: batch files, jobs and pipelines belong to a user",
    );
  }
  return caller;
}
