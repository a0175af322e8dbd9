import type { TokenRow } from "../../core/catalog-types.ts";
import { HangarError } from "../../core/errors.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { HubContext } from "../hub.ts";
import { type Caller, localAdministrator } from "./principal.ts";

/** Deletes a token by id; it stops working at once. Returns the token as it was. */
export async function revokeToken(
  hub: HubContext,
  params: { id: number; caller?: Caller },
): Promise<TokenRow> {
  return await hub.catalog.transaction(async (tx) => {
    const token = await tx.accounts.getToken(params.id);
    if (!token) throw new HangarError("HANGAR_ERR_NOT_FOUND", `No token with id ${params.id}`);
    await tx.accounts.deleteToken(params.id);
    await recordAudit(tx, {
      caller: params.caller ?? localAdministrator(),
      action: "token.revoke",
      target: `token:${token.id}`,
      details: { user: token.user, name: token.displayName },
    });
    return token;
  });
}
