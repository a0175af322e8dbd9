import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRepo as createRepoOverHttp, listModels } from "@huggingface/hub";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import {
  BUNDLED_SNAPSHOT_PATH,
  type CatalogSnapshot,
  importCatalogSnapshot,
  SNAPSHOT_META_KEY,
} from "../../src/hub/catalog/import-snapshot.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

// Counts computed from the file itself, not through the importer.
const snapshot = JSON.parse(readFileSync(BUNDLED_SNAPSHOT_PATH, "utf8")) as CatalogSnapshot;
const fileModels = snapshot.models;
const fileCount = (test: (model: (typeof fileModels)[number]) => boolean) => fileModels.filter(test).length;

describe("bundled catalog snapshot (the file)", () => {
  it("holds at least 1,000 distinct real-model ids across the main tasks and modalities", () => {
    assert.ok(fileModels.length >= 1000, `only ${fileModels.length} models`);
    assert.equal(new Set(fileModels.map((model) => model.id.toLowerCase())).size, fileModels.length);
    const tasks = new Set(fileModels.map((model) => model.task));
    for (const task of [
      "text-generation",
      "text-classification",
      "token-classification",
      "question-answering",
      "translation",
      "summarization",
      "fill-mask",
      "sentence-similarity",
      "feature-extraction",
      "automatic-speech-recognition",
      "text-to-speech",
      "audio-classification",
      "image-classification",
      "object-detection",
      "image-segmentation",
      "depth-estimation",
      "text-to-image",
      "image-to-text",
      "image-text-to-text",
      "zero-shot-image-classification",
      "text-to-video",
      "time-series-forecasting",
    ]) {
      assert.ok(tasks.has(task), `no model for ${task}`);
    }
  });

  it("fills task, licence and size for the great majority, and names a source for every entry", () => {
    assert.equal(
      fileCount((model) => Boolean(model.task)),
      fileModels.length,
    );
    assert.ok(fileCount((model) => Boolean(model.license)) >= 0.8 * fileModels.length);
    assert.ok(fileCount((model) => typeof model.parameters === "number") >= 0.7 * fileModels.length);
    for (const model of fileModels) {
      assert.ok(model.sources.length > 0, `${model.id} has no source`);
      for (const key of model.sources) assert.ok(snapshot.sources[key], `${model.id}: unknown source ${key}`);
    }
  });

  it("carries published evaluation results for at least 60 models, each naming its dataset, metric and source", () => {
    const evaluated = fileModels.filter((model) => (model.evalResults?.length ?? 0) > 0);
    assert.ok(evaluated.length >= 60, `only ${evaluated.length} models carry evaluation results`);
    for (const model of evaluated) {
      for (const result of model.evalResults!) {
        assert.ok(result.dataset.length > 0, `${model.id}: evaluation result without a dataset`);
        assert.ok(result.metric.length > 0, `${model.id}: evaluation result without a metric`);
        assert.ok(Number.isFinite(result.value), `${model.id}: ${result.metric} is not a number`);
      }
      assert.ok(
        model.sources.some((key) => key === "card-eval" || key.startsWith("eval:")),
        `${model.id}: evaluation results without an evaluation source`,
      );
    }
    // Several kinds of benchmark, not one table repeated.
    const tasks = new Set(evaluated.flatMap((model) => model.evalResults!.map((result) => result.task)));
    for (const task of [
      "question-answering",
      "token-classification",
      "automatic-speech-recognition",
      "image-classification",
    ]) {
      assert.ok(tasks.has(task), `no evaluation result for ${task}`);
    }
    const whisper = fileModels.find((model) => model.id === "openai/whisper-small")!;
    assert.deepEqual(whisper.evalResults, [
      {
        task: "automatic-speech-recognition",
        dataset: "librispeech_asr",
        split: "test.clean",
        metric: "wer",
        value: 3.432213777886737,
      },
    ]);
  });

  it("carries no popularity figures it cannot date", () => {
    assert.equal(snapshot.popularitySource, null);
    assert.equal(
      fileCount((model) => model.downloads !== undefined || model.likes !== undefined),
      0,
    );
  });
});

describe("importCatalogSnapshot", () => {
  let hangar: Hangar;
  let remove: () => Promise<void>;
  before(async () => {
    const temp = await makeTempDir();
    remove = temp.remove;
    hangar = await createHangar(defaultConfig(join(temp.path, "home")));
  });
  after(async () => {
    await hangar.close();
    await remove();
  });

  it("keeps a local repo that has the id of a snapshot entry", async () => {
    const clash = fileModels.find((model) => model.id === "google-bert/bert-base-uncased")!;
    assert.ok(clash);
    await createRepo(hangar, localAdministrator(), {
      type: "model",
      namespace: "google-bert",
      name: "bert-base-uncased",
      private: true,
    });
    const before = await hangar.catalog.repos.get({
      type: "model",
      namespace: "google-bert",
      name: "bert-base-uncased",
    })!;

    const result = await importCatalogSnapshot(hangar.catalog);

    assert.deepEqual(result.keptLocal, ["google-bert/bert-base-uncased"]);
    assert.equal(result.inserted, fileModels.length - 1);
    const afterImport = (await hangar.catalog.repos.get({
      type: "model",
      namespace: "google-bert",
      name: "bert-base-uncased",
    }))!;
    assert.deepEqual(afterImport, before);
    assert.equal(afterImport.origin, "local");
    // The local repo's facts are its commit's, untouched by the snapshot's.
    assert.deepEqual((await hangar.catalog.facts.get(afterImport.pk))?.sources, ["commit"]);
    assert.equal((await hangar.catalog.facts.get(afterImport.pk))?.description, null);
  });

  it("stores every other entry as an upstream-only model with its facts", async () => {
    const db = rawDb(hangar.catalog);
    const upstream = db
      .prepare("SELECT COUNT(*) FROM repos WHERE type = 'model' AND origin = 'upstream' AND sha IS NULL")
      .pluck()
      .get() as number;
    assert.equal(upstream, fileModels.length - 1);
    assert.equal(db.prepare("SELECT COUNT(*) FROM commits").pluck().get(), 1); // the local repo's initial commit
    const expectLicence = fileCount(
      (model) => Boolean(model.license) && model.id !== "google-bert/bert-base-uncased",
    );
    const expectSize = fileCount(
      (model) => model.parameters !== undefined && model.id !== "google-bert/bert-base-uncased",
    );
    assert.equal(
      db.prepare("SELECT COUNT(*) FROM repo_facts WHERE license IS NOT NULL").pluck().get(),
      expectLicence,
    );
    assert.equal(
      db.prepare("SELECT COUNT(*) FROM repo_facts WHERE parameters IS NOT NULL").pluck().get(),
      expectSize,
    );
    assert.equal(
      db
        .prepare("SELECT COUNT(*) FROM repos WHERE origin = 'upstream' AND pipeline_tag IS NOT NULL")
        .pluck()
        .get(),
      fileModels.length - 1,
    );

    const whisper = (await hangar.catalog.repos.get({
      type: "model",
      namespace: "openai",
      name: "whisper-large-v3",
    }))!;
    assert.equal(whisper.pipelineTag, "automatic-speech-recognition");
    assert.equal(whisper.libraryName, "transformers");
    assert.ok(whisper.tags.includes("license:apache-2.0"));
    const facts = (await hangar.catalog.facts.get(whisper.pk))!;
    assert.equal(facts.license, "apache-2.0");
    assert.equal(facts.parameters, 1_550_000_000);
    assert.equal(facts.snapshotDate, null);

    const quant = (await hangar.catalog.repos.get({
      type: "model",
      namespace: "bartowski",
      name: "Qwen2.5-7B-Instruct-GGUF",
    }))!;
    const quantFacts = (await hangar.catalog.facts.get(quant.pk))!;
    assert.deepEqual(quantFacts.baseModels, ["Qwen/Qwen2.5-7B-Instruct"]);
    assert.equal(quantFacts.baseRelation, "quantized");
    assert.ok(quant.tags.includes("base_model:quantized:Qwen/Qwen2.5-7B-Instruct"));
    // Side tables search filters on.
    assert.equal(
      db
        .prepare("SELECT COUNT(*) FROM repo_base_models WHERE base_model = 'qwen/qwen2.5-7b-instruct'")
        .pluck()
        .get(),
      fileCount((model) => model.baseModels?.includes("Qwen/Qwen2.5-7B-Instruct") ?? false),
    );
    assert.equal(
      db.prepare("SELECT COUNT(*) FROM repo_languages WHERE language = 'de'").pluck().get(),
      fileCount(
        (model) => (model.languages?.includes("de") ?? false) && model.id !== "google-bert/bert-base-uncased",
      ),
    );

    const squad = (await hangar.catalog.repos.get({
      type: "model",
      namespace: "deepset",
      name: "roberta-base-squad2",
    }))!;
    assert.deepEqual(
      (await hangar.catalog.facts.get(squad.pk))!.evalResults.map((result) => [result.metric, result.value]),
      [
        ["exact_match", 79.9309],
        ["f1", 82.9501],
      ],
    );
  });

  it("records the version and writes nothing on a second import", async () => {
    assert.equal(await hangar.catalog.getMeta(SNAPSHOT_META_KEY), snapshot.version);
    const rows = await hangar.catalog.repos.count("model");
    const again = await importCatalogSnapshot(hangar.catalog);
    assert.deepEqual(again, {
      version: snapshot.version,
      alreadyImported: true,
      inserted: 0,
      updated: 0,
      keptLocal: [],
    });
    assert.equal(await hangar.catalog.repos.count("model"), rows);
  });

  it("refreshes upstream-only entries from a newer snapshot, still sparing local repos", async () => {
    const first = fileModels.find((model) => model.id === "openai/whisper-large-v3")!;
    const newer: CatalogSnapshot = {
      ...snapshot,
      version: `${snapshot.version}-next`,
      popularitySource: "test figures",
      models: [
        { ...first, description: "refreshed", downloads: 12, likes: 3 },
        { id: "google-bert/bert-base-uncased", task: "fill-mask", sources: ["hf-tasks"] },
      ],
    };
    const result = await importCatalogSnapshot(hangar.catalog, { snapshot: newer });
    assert.equal(result.updated, 1);
    assert.deepEqual(result.keptLocal, ["google-bert/bert-base-uncased"]);
    const whisper = (await hangar.catalog.repos.get({
      type: "model",
      namespace: "openai",
      name: "whisper-large-v3",
    }))!;
    assert.equal(whisper.downloads, 12);
    const facts = (await hangar.catalog.facts.get(whisper.pk))!;
    assert.equal(facts.description, "refreshed");
    assert.equal(facts.snapshotSource, "test figures");
    assert.equal(facts.snapshotDate, snapshot.date);
  });

  it("refuses a snapshot with a bad id without writing any of it", async () => {
    const rows = await hangar.catalog.repos.count("model");
    const broken: CatalogSnapshot = {
      ...snapshot,
      version: "broken",
      models: [
        { id: "someone/fine-model", task: "fill-mask", sources: ["hf-tasks"] },
        { id: "not-a-repo-id", task: "fill-mask", sources: ["hf-tasks"] },
      ],
    };
    await assert.rejects(
      () => importCatalogSnapshot(hangar.catalog, { snapshot: broken }),
      /Invalid repo id "not-a-repo-id"/,
    );
    assert.equal(await hangar.catalog.repos.count("model"), rows);
    assert.notEqual(await hangar.catalog.getMeta(SNAPSHOT_META_KEY), "broken");
  });
});

describe("snapshot entries over the Hub API", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar();
    await importCatalogSnapshot(hub.hangar.catalog);
  });
  after(() => hub.close());

  it("lists at least 1,000 real models with their tasks to the official client", async () => {
    let count = 0;
    let withTask = 0;
    for await (const model of listModels({ hubUrl: hub.url, limit: 5000 })) {
      count++;
      if (model.task) withTask++;
    }
    assert.equal(count, fileModels.length);
    assert.equal(withTask, fileModels.length);
  });

  it("shows each entry's licence and size in the `hangar` field of full listings and repo info", async () => {
    let url: string | undefined = `${hub.url}/api/models?full=true&limit=500`;
    let withLicense = 0;
    let withParameters = 0;
    let entries = 0;
    while (url) {
      const response: Response = await fetch(url);
      assert.equal(response.status, 200);
      for (const entry of (await response.json()) as Array<{
        hangar: { license: string | null; parameters: number | null };
      }>) {
        entries++;
        if (entry.hangar.license) withLicense++;
        if (entry.hangar.parameters) withParameters++;
      }
      url = /<([^>]+)>; rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    }
    assert.equal(entries, fileModels.length);
    assert.equal(
      withLicense,
      fileCount((model) => Boolean(model.license)),
    );
    assert.equal(
      withParameters,
      fileCount((model) => Boolean(model.parameters)),
    );

    const info = (await (await fetch(`${hub.url}/api/models/google-bert/bert-base-uncased`)).json()) as {
      sha?: string;
      siblings: unknown[];
      hangar: Record<string, unknown>;
    };
    assert.equal(info.sha, undefined);
    assert.deepEqual(info.siblings, []);
    assert.equal(info.hangar.origin, "upstream");
    assert.equal(info.hangar.license, "apache-2.0");
    assert.equal(info.hangar.commercialUse, "yes");
    assert.equal(info.hangar.parameters, 110_000_000);
    assert.equal(info.hangar.description, "BERT base uncased: masked-language-model pretrained encoder");
    // 110M parameters × 4 bytes × 1.2 overhead in fp32.
    assert.equal((info.hangar.memory as Record<string, number>).F32, 528_000_000);
    assert.ok(((info.hangar.fitsOn as Record<string, string[]>).F32 ?? []).length > 0);
  });

  it("lets a writer take over a catalog-only id, keeping the snapshot's description", async () => {
    const created = await createRepoOverHttp({
      repo: "apple/mobilevit-small",
      hubUrl: hub.url,
      accessToken: hub.adminToken,
    });
    assert.equal(created.repoUrl, `${hub.url}/apple/mobilevit-small`);
    const info = (await (await fetch(`${hub.url}/api/models/apple/mobilevit-small`)).json()) as {
      pipeline_tag?: string;
      sha?: string;
      siblings: Array<{ rfilename: string }>;
      hangar: Record<string, unknown>;
    };
    assert.match(info.sha ?? "", /^[0-9a-f]{40}$/);
    assert.deepEqual(
      info.siblings.map((sibling) => sibling.rfilename),
      [".gitattributes"],
    );
    assert.equal(info.hangar.origin, "local");
    assert.equal(info.hangar.description, "MobileViT light-weight vision transformer for mobile");
    // Files that say nothing about the task leave the catalog's task in place.
    assert.equal(info.pipeline_tag, "image-classification");
  });

  it("filters them by task as the Hub does", async () => {
    const names: string[] = [];
    for await (const model of listModels({ hubUrl: hub.url, search: { task: "depth-estimation" } })) {
      names.push(model.name);
    }
    assert.equal(
      names.length,
      fileCount((model) => model.task === "depth-estimation"),
    );
    assert.ok(names.includes("Intel/dpt-large"));
  });
});
