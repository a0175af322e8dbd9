import { commitModelFiles } from "../../src/factory/commit-model.ts";
import { buildModel } from "../../src/factory/make-model.ts";
import { FACTORY_NAMESPACE } from "../../src/factory/seed-factory-models.ts";
import { importFiles, startTestHangar, type TestHangar } from "./test-hangar.ts";

const card = (yaml: string, body: string) => `---\n${yaml}\n---\n${body}\n`;

/**
 * A test hangar with what the browser tests look at: `hangar/sentiment-tiny` as a fresh instance makes it
 * (it runs), a few other models with their own tasks, licences and languages for the facets, and a private
 * one only a token shows.
 */
export async function startWebUiHangar(): Promise<TestHangar> {
  const hub = await startTestHangar({ logLevel: "silent" });
  const built = await buildModel("sentiment", { name: "sentiment-tiny" });
  await commitModelFiles(hub.hangar, {
    repo: { type: "model", namespace: FACTORY_NAMESPACE, name: "sentiment-tiny" },
    files: built.files,
    message: "Make sentiment model (Hangar model factory)",
  });
  await importFiles(hub.hangar, "acme/translator-mini", {
    "README.md": card(
      "license: mit\nlanguage:\n  - en\n  - fr\npipeline_tag: translation\nlibrary_name: transformers",
      "# Translator mini\n\nTranslates English to French.",
    ),
    "config.json": JSON.stringify({ model_type: "marian" }),
  });
  await importFiles(hub.hangar, "acme/vision-small", {
    "README.md": card(
      "license: cc-by-nc-4.0\npipeline_tag: image-classification\nlibrary_name: timm",
      "# Vision small\n\nSorts photos into 10 classes.",
    ),
  });
  await importFiles(
    hub.hangar,
    "acme/reviews",
    { "README.md": card("license: mit", "# Reviews"), "reviews.csv": "text,label\ngood,1\n" },
    { type: "dataset" },
  );
  await importFiles(
    hub.hangar,
    "acme/secret-sentiment",
    { "README.md": card("license: apache-2.0\npipeline_tag: text-classification", "# Secret") },
    { private: true },
  );
  return hub;
}
