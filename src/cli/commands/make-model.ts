import { countNoun } from "../../core/count-noun.ts";
import { parseRepoId } from "../../core/validate.ts";
import { MODEL_KINDS, makeModel } from "../../factory/make-model.ts";
import { repoInfoUrl } from "../client/hub-client.ts";
import type { Command } from "../command.ts";
import { formatBytes, ProgressBar } from "../progress.ts";
import {
  expectPositionals,
  NO_SERVER_HINT,
  runningServerUrl,
  withLocalHome,
  writeJson,
} from "./local-home.ts";

export const makeModelCommand: Command = {
  name: ["make-model"],
  summary: `Build a model with the model factory and commit it to a repo (${MODEL_KINDS.join(", ")})`,
  usage: "<kind> <repo_id>",
  usesHome: true,
  options: {
    size: {
      type: "string",
      description: "bert-base / minilm only: base, mini or tiny (default: the kind's own shape)",
      valueName: "SIZE",
    },
    dtype: {
      type: "string",
      description: "bert-base / minilm only: fp32 (onnx/model.onnx) or int8 (onnx/model_quantized.onnx)",
      valueName: "DTYPE",
    },
    message: { type: "string", description: "Commit message", valueName: "TEXT" },
  },
  async run({ positionals, values, config, json, stdout, stderr }) {
    const [kind, repoId] = expectPositionals(positionals, 2, "<kind> <repo_id>");
    const ref = parseRepoId(repoId!, "model");
    await withLocalHome(config, async (hangar) => {
      // Building BERT-base takes seconds and storing it writes ~420 MB: say what is happening on a terminal.
      if (stderr.isTTY && !json) stderr.write(`Building ${kind}${values.size ? ` (${values.size})` : ""}...`);
      const progress = new ProgressBar(stderr, `Storing ${repoId}`);
      let stored = 0;
      const result = await makeModel(hangar, {
        kind: kind!,
        repo: ref,
        ...(typeof values.size === "string" ? { size: values.size } : {}),
        ...(typeof values.dtype === "string" ? { dtype: values.dtype } : {}),
        ...(typeof values.message === "string" ? { message: values.message } : {}),
        onFileStored: (path, bytes) => {
          stored += bytes;
          progress.update(stored, stored, `${path} ${formatBytes(bytes)}`);
        },
      });
      progress.finish();
      if (stderr.isTTY && !json) stderr.write("\r\x1b[K");
      const server = runningServerUrl(config);
      const url = server
        ? repoInfoUrl(
            { hubUrl: server, type: ref.type, id: `${ref.namespace}/${ref.name}` },
            result.commit.oid,
          )
        : null;
      const bytes = Object.values(result.files).reduce((total, size) => total + size, 0);
      if (json) {
        writeJson(stdout, {
          kind: result.kind,
          repo: `${ref.namespace}/${ref.name}`,
          pipeline_tag: result.pipelineTag,
          commit: result.commit.oid,
          created: result.created,
          repoCreated: result.repoCreated,
          files: result.files,
          bytes,
          facts: result.facts,
          url,
        });
        return;
      }
      const facts = Object.entries(result.facts)
        .map(
          ([name, value]) =>
            `${name} ${typeof value === "number" && !Number.isInteger(value) ? value.toFixed(3) : value}`,
        )
        .join(", ");
      stdout.write(
        result.created
          ? `Made ${result.kind} (${result.pipelineTag}) in model ${ref.namespace}/${ref.name}: ${countNoun(Object.keys(result.files).length, "file")}, ${formatBytes(bytes)}${result.repoCreated ? " (new repo)" : ""}\n`
          : `Nothing changed: model ${ref.namespace}/${ref.name} already holds this ${result.kind} model\n`,
      );
      if (facts) stdout.write(`${facts}\n`);
      stdout.write(`commit ${result.commit.oid}\n${url ?? NO_SERVER_HINT}\n`);
    });
  },
};
