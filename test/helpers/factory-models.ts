import { commitModelFiles } from "../../src/factory/commit-model.ts";
import { buildEmbedderModel } from "../../src/factory/embedder.ts";
import { buildFillMaskModel } from "../../src/factory/fill-mask.ts";
import { buildGeneratorModel } from "../../src/factory/generator.ts";
import type { BuiltModel } from "../../src/factory/model-files.ts";
import { buildNerModel } from "../../src/factory/ner.ts";
import { buildSentimentModel } from "../../src/factory/sentiment.ts";
import { buildZeroShotModel } from "../../src/factory/zero-shot.ts";
import type { HubContext } from "../../src/hub/hub.ts";

/** The model factory's trained models, by repo name under the `factory` namespace. */
const BUILDERS: Record<string, (params: { name: string }) => Promise<BuiltModel>> = {
  sentiment: buildSentimentModel,
  ner: buildNerModel,
  embedder: buildEmbedderModel,
  generator: buildGeneratorModel,
  "fill-mask": buildFillMaskModel,
  "zero-shot": buildZeroShotModel,
};

export type FactoryModelName = keyof typeof BUILDERS;

/** Builds factory models (trained at build time, offline) and commits them as `factory/<name>`. */
export async function commitFactoryModels(
  hub: HubContext,
  names: readonly string[] = Object.keys(BUILDERS),
): Promise<void> {
  for (const name of names) {
    const build = BUILDERS[name];
    if (!build) throw new Error(`No factory model ${name}`);
    const built = await build({ name });
    await commitModelFiles(hub, {
      repo: { type: "model", namespace: "factory", name },
      files: built.files,
      message: `Factory ${name} model for tests`,
    });
  }
}
