import type { RepoRef } from "../core/types.ts";
import { DEFAULT_BRANCH } from "../core/types.ts";
import { localAdministrator } from "./accounts/principal.ts";
import { type CommitOperation, createCommit } from "./create-commit.ts";
import { createRepo } from "./create-repo.ts";
import type { HubContext } from "./hub.ts";
import { storeTextFile } from "./import-folder.ts";

/** The namespace demo repos live in (an organisation, created with the first repo). */
export const DEMO_NAMESPACE = "hangar";

interface DemoRepo {
  ref: RepoRef;
  message: string;
  files: Record<string, string>;
}

const WELCOME_CARD = `---
license: apache-2.0
language:
- en
pipeline_tag: text-classification
tags:
- hangar
- demo
---

# Welcome to Hangar

This repository was created when this Hangar instance started for the first time, so there is something to
list, browse and download. It holds a model card and a \`config.json\`, but no weights.

Try it with the Hugging Face clients pointed at this instance:

\`\`\`sh
HF_ENDPOINT=http://127.0.0.1:7860 hf download hangar/welcome
\`\`\`

Start an instance with \`HANGAR_NO_DEMO=1\` to skip the demo repositories.
`;

const WELCOME_CONFIG = {
  architectures: ["BertForSequenceClassification"],
  model_type: "bert",
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 64,
  vocab_size: 1024,
  max_position_embeddings: 128,
  id2label: { "0": "NEGATIVE", "1": "POSITIVE" },
  label2id: { NEGATIVE: 0, POSITIVE: 1 },
};

const DATASET_CARD = `---
license: cc0-1.0
language:
- en
task_categories:
- text-classification
size_categories:
- n<1K
tags:
- hangar
- demo
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train.csv
---

# Demo dataset

A handful of short sentences labelled positive or negative, written for Hangar's demo content.
`;

const DATASET_ROWS = [
  ["text", "label"],
  ["The upload finished quickly and every file arrived intact.", "positive"],
  ["The download stalled halfway and never resumed.", "negative"],
  ["Pointing the client at the new endpoint just worked.", "positive"],
  ["The model card was missing and nobody knew the licence.", "negative"],
  ["Search found the right checkpoint on the first try.", "positive"],
  ["Two teams overwrote each other's weights on the same branch.", "negative"],
  ["Working offline on the plane was no problem at all.", "positive"],
  ["The token expired in the middle of a long training run.", "negative"],
];

function demoRepos(): DemoRepo[] {
  return [
    {
      ref: { type: "model", namespace: DEMO_NAMESPACE, name: "welcome" },
      message: "Add the welcome model card and config",
      files: {
        "README.md": WELCOME_CARD,
        "config.json": `${JSON.stringify(WELCOME_CONFIG, null, 2)}\n`,
      },
    },
    {
      ref: { type: "dataset", namespace: DEMO_NAMESPACE, name: "demo-dataset" },
      message: "Add the demo sentences",
      files: {
        "README.md": DATASET_CARD,
        "data/train.csv": `${DATASET_ROWS.map((row) => row.map(csvField).join(",")).join("\n")}\n`,
      },
    },
  ];
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Fills an empty instance with small demo repositories, made on the fly, so a first start has something to
 * show. Does nothing once the instance holds any repo. Returns the ids of the repos it created.
 */
export async function seedDemoRepos(hub: HubContext): Promise<string[]> {
  if ((await hub.catalog.repos.count()) > 0) return [];
  const caller = localAdministrator(DEMO_NAMESPACE);
  const created: string[] = [];
  for (const demo of demoRepos()) {
    const repo = await createRepo(hub, caller, { ...demo.ref, author: DEMO_NAMESPACE });
    const operations: CommitOperation[] = [];
    for (const [path, text] of Object.entries(demo.files)) {
      operations.push({ kind: "put", path, file: await storeTextFile(hub, text) });
    }
    await createCommit(hub, {
      repo,
      revision: DEFAULT_BRANCH,
      operations,
      title: demo.message,
      author: DEMO_NAMESPACE,
    });
    created.push(repo.id);
  }
  return created;
}
