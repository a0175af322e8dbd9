import { HangarError } from "../../core/errors.ts";
import type { TokenRow } from "../../store/accounts-table.ts";
import type { HubContext } from "../hub.ts";

/** Deletes a token by id; it stops working at once. Returns the token as it was. */
export function revokeToken(hub: HubContext, params: { id: number }): TokenRow {
  return hub.catalog.transaction(() => {
    const token = hub.catalog.accounts.getToken(params.id);
    if (!token) throw new HangarError("HANGAR_ERR_NOT_FOUND", `No token with id ${params.id}`);
    hub.catalog.accounts.deleteToken(params.id);
    return token;
  });
}
