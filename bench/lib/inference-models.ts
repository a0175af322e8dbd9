// The models `bench:inference` measures, made by the factory at benchmark time straight into the temp home
// (random weights, real shapes), and the input text their own tokenizer turns into an exact token count.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { defaultConfig } from "../../src/core/config.ts";
import { makeModel } from "../../src/factory/make-model.ts";
import { createHangar } from "../../src/hangar.ts";
import { resolveRevision } from "../../src/hub/resolve-revision.ts";
import { localBlobPath } from "../../src/inference/runtime/local-blob-path.ts";
import { MB, median, secondsSince } from "./stats.ts";
import { logProgress } from "./table.ts";

export interface BenchModel {
  label: string;
  kind: "bert-base" | "minilm";
  dtype: "fp32" | "int8";
  size?: "tiny";
  repoId: string;
}

export const BERT_BASE: BenchModel = {
  label: "BERT-base fp32",
  kind: "bert-base",
  dtype: "fp32",
  repoId: "bench/bert-base",
};
export const MINILM: BenchModel = {
  label: "MiniLM-L6 fp32",
  kind: "minilm",
  dtype: "fp32",
  repoId: "bench/minilm",
};
export const BERT_INT8: BenchModel = {
  label: "BERT-base int8",
  kind: "bert-base",
  dtype: "int8",
  repoId: "bench/bert-base-int8",
};

/** A 2-layer, 64-hidden encoder: its session.run is tiny, so Hangar's fixed cost per request shows up. */
export const TINY: BenchModel = {
  label: "tiny BERT fp32 (overhead probe)",
  kind: "bert-base",
  dtype: "fp32",
  size: "tiny",
  repoId: "bench/tiny",
};

export interface PreparedModel extends BenchModel {
  onnxPath: string;
  tokenizerDir: string;
  bytes: number;
  parameters: number;
  buildSeconds: number;
}

/** Makes the models with the factory straight into the temp home, and finds each ONNX file in the blob store. */
export async function prepareModels(
  home: string,
  work: string,
  models: BenchModel[],
): Promise<PreparedModel[]> {
  const hangar = await createHangar(defaultConfig(home));
  const prepared: PreparedModel[] = [];
  try {
    for (const model of models) {
      const started = process.hrtime.bigint();
      const [namespace, name] = model.repoId.split("/") as [string, string];
      const repoRef = { type: "model" as const, namespace, name };
      const made = await makeModel(hangar, {
        kind: model.kind,
        repo: repoRef,
        dtype: model.dtype,
        ...(model.size ? { size: model.size } : {}),
      });
      const buildSeconds = secondsSince(started);
      const repo = (await hangar.catalog.repos.get(repoRef))!;
      const { commit } = await resolveRevision(hangar, repo, "main");
      const files = await hangar.catalog.commits.listFiles(commit.pk);
      const onnx = files.find((file) => file.path.endsWith(".onnx"));
      if (!onnx) throw new Error(`The factory made no ONNX file for ${model.repoId}`);
      // The tokenizer files, for crafting the input text and its token ids in this process.
      const tokenizerDir = join(work, "tokenizers", name);
      for (const path of ["config.json", "tokenizer.json", "tokenizer_config.json"]) {
        const file = files.find((entry) => entry.path === path)!;
        await writeFileDeep(join(tokenizerDir, path), await hangar.blobs.read(file.sha256));
      }
      prepared.push({
        ...model,
        onnxPath: await localBlobPath(hangar.blobs, hangar.config.home, onnx.sha256),
        tokenizerDir,
        bytes: onnx.size,
        parameters: Number(made.facts.parameters ?? 0),
        buildSeconds,
      });
      logProgress(`made ${model.repoId} (${(onnx.size / MB).toFixed(0)} MB) in ${buildSeconds.toFixed(1)} s`);
    }
  } finally {
    await hangar.close();
  }
  return prepared;
}

async function writeFileDeep(path: string, content: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

export interface TokenizedInput {
  text: string;
  ids: bigint[];
  tokenizeMs: number;
}

/** A text the model's own tokenizer turns into exactly `tokens` ids ([CLS] and [SEP] included). */
export async function craftInput(tokenizerDir: string, tokens: number): Promise<TokenizedInput> {
  const transformers = await import("@huggingface/transformers");
  transformers.env.allowRemoteModels = false;
  transformers.env.allowLocalModels = true;
  transformers.env.localModelPath = "";
  const tokenizer = await transformers.AutoTokenizer.from_pretrained(tokenizerDir);
  const words = ["the", "model", "hub", "benchmark", "a"];
  const textOf = (count: number) =>
    Array.from({ length: count }, (_, i) => words[i % words.length]).join(" ");
  let count = tokens - 2;
  for (let attempt = 0; attempt < 200; attempt++) {
    const length = tokenizer.encode(textOf(count)).length;
    if (length === tokens) break;
    count += length < tokens ? 1 : -1;
  }
  const text = textOf(count);
  const ids = tokenizer.encode(text).map((id: number) => BigInt(id));
  if (ids.length !== tokens) throw new Error(`Could not craft a ${tokens}-token input (got ${ids.length})`);
  // What one tokenisation of this text costs (Hangar tokenises each request's text).
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const started = process.hrtime.bigint();
    tokenizer(text, { padding: true, truncation: true, max_length: 512 });
    times.push(secondsSince(started) * 1000);
  }
  return { text, ids, tokenizeMs: median(times.slice(5)) };
}
