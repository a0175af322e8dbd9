import type { RepoRef } from "../core/types.ts";
import type { HubContext } from "../hub/hub.ts";
import { commitModelFiles } from "./commit-model.ts";
import { buildModel, type ModelKind } from "./make-model.ts";

/** The namespace the factory's ready-to-run models live in. */
export const FACTORY_NAMESPACE = "hangar";

/** The models a fresh instance gets, by repo name. */
export const FACTORY_SEED_MODELS: ReadonlyArray<{ name: string; kind: ModelKind }> = [
  { name: "sentiment-tiny", kind: "sentiment" },
  { name: "ner-tiny", kind: "ner" },
  { name: "embedder-tiny", kind: "embedder" },
  { name: "generator-tiny", kind: "generator" },
  { name: "fill-mask-tiny", kind: "fill-mask" },
  { name: "qa-tiny", kind: "question-answering" },
  { name: "zero-shot-tiny", kind: "zero-shot" },
];

/**
 * Makes the factory's small models under `hangar/` so a fresh instance has models ready to run. Idempotent:
 * a repo that already exists is left alone (even if someone changed it), so restarts cost nothing.
 * Returns the ids of the repos it created.
 */
export async function seedFactoryModels(hub: HubContext): Promise<string[]> {
  const created: string[] = [];
  for (const model of FACTORY_SEED_MODELS) {
    const repo: RepoRef = { type: "model", namespace: FACTORY_NAMESPACE, name: model.name };
    if (await hub.catalog.repos.get(repo)) continue;
    const built = await buildModel(model.kind, { name: model.name });
    await commitModelFiles(hub, {
      repo,
      files: built.files,
      message: `Make ${model.kind} model (Hangar model factory)`,
    });
    created.push(`${FACTORY_NAMESPACE}/${model.name}`);
  }
  return created;
}
