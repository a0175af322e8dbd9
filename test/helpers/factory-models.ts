import { commitModelFiles } from "../../src/factory/commit-model.ts";
import { buildEmbedderModel } from "../../src/factory/embedder.ts";
import { buildFillMaskModel } from "../../src/factory/fill-mask.ts";
import { buildGeneratorModel } from "../../src/factory/generator.ts";
import type { BuiltModel } from "../../src/factory/model-files.ts";
import { buildNerModel } from "../../src/factory/ner-model.ts";
import { buildQuestionAnsweringModel } from "../../src/factory/question-answering.ts";
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

/** Built on request only (not by `commitFactoryModels()` with no names): it trains the NER tagger again. */
const ON_REQUEST: Record<string, (params: { name: string }) => Promise<BuiltModel>> = {
  qa: buildQuestionAnsweringModel,
};

export type FactoryModelName = keyof typeof BUILDERS;

/** Builds are deterministic, so a test file that fills several hubs builds each model once. */
const built = new Map<string, Promise<BuiltModel>>();

/** Builds factory models (trained at build time, offline) and commits them as `factory/<name>`. */
export async function commitFactoryModels(
  hub: HubContext,
  names: readonly string[] = Object.keys(BUILDERS),
): Promise<void> {
  for (const name of names) {
    const build = BUILDERS[name] ?? ON_REQUEST[name];
    if (!build) throw new Error(`No factory model ${name}`);
    let model = built.get(name);
    if (!model) {
      model = build({ name });
      built.set(name, model);
    }
    await commitModelFiles(hub, {
      repo: { type: "model", namespace: "factory", name },
      files: (await model).files,
      message: `Factory ${name} model for tests`,
    });
  }
}
