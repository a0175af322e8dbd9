import { badRequest, HangarError } from "../../core/errors.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubScope } from "../../hub/hub.ts";
import { getReadableModel, modelId } from "./registry-context.ts";

export interface ModelReference {
  /** The repo id to load, `namespace/name`. */
  repo: string;
  /** The revision to load: the pinned commit id for a registry reference, else the one asked for. */
  revision: string | undefined;
  /** The registry reference it came from, when it was one. */
  registered?: { name: string; version: number; alias?: string };
}

/**
 * Resolves what an inference request names as its model. `namespace/name@alias` (or `@v3` for version 3)
 * is a registered model: the version its alias points at now, pinned to the repo and commit of that
 * version (a request that resolved it keeps that commit, whatever the alias does afterwards). Anything else
 * is a repo id and passes through with its revision.
 */
export async function resolveModelReference(
  hub: HubScope,
  caller: Caller,
  model: string,
  revision?: string,
): Promise<ModelReference> {
  const at = typeof model === "string" ? model.lastIndexOf("@") : -1;
  if (at === -1) return { repo: model, revision };
  const name = model.slice(0, at);
  const pointer = model.slice(at + 1);
  if (revision !== undefined && revision !== "main") {
    throw badRequest(`"${model}" names a registered model's alias or version: leave "revision" out`);
  }
  if (pointer === "") throw badRequest(`"${model}" names no alias after "@"`);
  const registered = await getReadableModel(hub, caller, name);
  const versionMatch = /^v(\d+)$/i.exec(pointer);
  let number: number;
  if (versionMatch) number = Number(versionMatch[1]);
  else {
    const alias = await hub.catalog.registry.getAlias(registered.id, pointer);
    if (!alias)
      throw new HangarError("HANGAR_ERR_NOT_FOUND", `${modelId(registered)} has no alias "${pointer}"`);
    number = alias.version;
  }
  const version = await hub.catalog.registry.getVersion(registered.id, number);
  if (!version)
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `${modelId(registered)} has no version ${number}`);
  const repo = await hub.catalog.repos.getByPk(version.repoPk);
  if (!repo) {
    throw new HangarError(
      "HANGAR_ERR_NOT_FOUND",
      `Version ${number} of ${modelId(registered)} pins ${version.repoId}, which no longer exists`,
    );
  }
  return {
    repo: repo.id,
    revision: version.commitOid,
    registered: { name: modelId(registered), version: number, ...(versionMatch ? {} : { alias: pointer }) },
  };
}
