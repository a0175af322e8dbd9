// The instance the Hub read API tests (test/integration/hub-read-*.test.ts) read from, made the same for each of
// them, and what they read it with.
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { importFiles, startTestHangar, type TestHangar } from "./test-hangar.ts";

const admin = localAdministrator();
/** The instance's largest page: listings of more need several. */
export const PAGE_SIZE = 10;

const CLASSIFIER_README = `---
pipeline_tag: text-classification
license: mit
language: en
tags:
  - sentiment
---
# Tiny classifier
`;

const CLASSIFIER_CONFIG = JSON.stringify({
  architectures: ["BertForSequenceClassification"],
  model_type: "bert",
  id2label: { 0: "NEGATIVE", 1: "POSITIVE" },
});

/** A fetch that records the URLs the real client asks for, so a test can see that paging happened. */
export function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    },
  };
}

/** The items of an async iterable, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export interface ReadHub {
  hub: TestHangar;
  /** Read tokens of alice, who owns the private alice/secret-model, and of bob, who may not see it. */
  aliceToken: string;
  bobToken: string;
  /** The commits of the two imports to acme/tiny-classifier: three files, then the head (onnx/ and data/ too). */
  firstSha: string;
  classifierSha: string;
}

/**
 * An instance whose pages hold PAGE_SIZE entries, with acme/tiny-classifier (two commits), acme/other-model,
 * alice's private alice/secret-model, the dataset acme/some-data, the gradio space acme/demo-app, and 25 models
 * bulk/model-00 to bulk/model-24 made with createRepo.
 */
export async function startReadHub(): Promise<ReadHub> {
  const hub = await startTestHangar({ limits: { ...DEFAULT_LIMITS, maxPageSize: PAGE_SIZE } });
  const aliceToken = await hub.addUser("alice", "read");
  const bobToken = await hub.addUser("bob", "read");
  const first = await importFiles(hub.hangar, "acme/tiny-classifier", {
    "README.md": CLASSIFIER_README,
    "config.json": CLASSIFIER_CONFIG,
    "tokenizer_config.json": "{}",
  });
  const firstSha = first.commit.oid;
  const second = await importFiles(hub.hangar, "acme/tiny-classifier", {
    "README.md": CLASSIFIER_README,
    "config.json": CLASSIFIER_CONFIG,
    "tokenizer_config.json": "{}",
    "onnx/model.onnx": new Uint8Array([0, 1, 2, 3, 0, 5]),
    ...Object.fromEntries(
      Array.from({ length: 12 }, (_, index) => [
        `data/part-${String(index).padStart(2, "0")}.txt`,
        `row ${index}`,
      ]),
    ),
  });
  const classifierSha = second.commit.oid;
  await importFiles(hub.hangar, "acme/other-model", { "README.md": "---\npipeline_tag: fill-mask\n---\n" });
  await importFiles(hub.hangar, "alice/secret-model", { "README.md": "private" }, { private: true });
  await importFiles(hub.hangar, "acme/some-data", { "data.csv": "a,b\n1,2\n" }, { type: "dataset" });
  await importFiles(
    hub.hangar,
    "acme/demo-app",
    { "README.md": "---\nsdk: gradio\n---\n", "app.py": "print(1)\n" },
    { type: "space" },
  );
  for (let index = 0; index < 25; index++) {
    await createRepo(hub.hangar, admin, {
      type: "model",
      namespace: "bulk",
      name: `model-${String(index).padStart(2, "0")}`,
    });
  }
  return { hub, aliceToken, bobToken, firstSha, classifierSha };
}
