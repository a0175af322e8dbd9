import { readFile } from "node:fs/promises";
import { badRequest } from "../../core/errors.ts";
import { createHangar } from "../../hangar.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import { type PipelineDefinition, parsePipelineText } from "../../workflows/pipelines/definition.ts";
import { runAndKeep } from "../../workflows/pipelines/pipelines-service.ts";
import { validatePipeline } from "../../workflows/pipelines/validate-pipeline.ts";
import type { Command } from "../command.ts";

async function readDefinition(path: string): Promise<PipelineDefinition> {
  const text = await readFile(path, "utf8").catch(() => {
    throw badRequest(`Cannot read the pipeline file ${path}`);
  });
  return parsePipelineText(text, path);
}

/** `--input name=value`: `@path` reads a file (bytes for image and audio inputs, text otherwise); json and texts inputs parse JSON. */
async function readInputs(
  definition: PipelineDefinition,
  pairs: unknown[],
): Promise<Record<string, unknown>> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs) {
    const text = String(pair);
    const equals = text.indexOf("=");
    if (equals <= 0) throw badRequest(`--input must be name=value or name=@file, got "${text}"`);
    const name = text.slice(0, equals);
    const type = definition.inputs[name];
    if (type === undefined) {
      throw badRequest(
        `--input ${name}: the pipeline has no such input (inputs: ${Object.keys(definition.inputs).join(", ")})`,
      );
    }
    let value: string | Buffer = text.slice(equals + 1);
    if (value.startsWith("@")) {
      const bytes = await readFile(value.slice(1));
      value = type === "image" || type === "audio" ? bytes : bytes.toString("utf8").replace(/\r?\n$/, "");
    }
    if (typeof value === "string" && (type === "json" || type === "texts" || type === "number")) {
      try {
        inputs[name] = JSON.parse(value);
      } catch {
        throw badRequest(`--input ${name}: a ${type} input is JSON`);
      }
    } else inputs[name] = value;
  }
  return inputs;
}

export const pipelineValidateCommand: Command = {
  name: ["pipeline", "validate"],
  summary: "Check a pipeline file's types and references before anything runs",
  usage: "<file>",
  async run({ positionals, json, stdout }) {
    const [file] = positionals;
    if (!file || positionals.length > 1) throw badRequest("Usage: hangar pipeline validate <file>");
    const validated = validatePipeline(await readDefinition(file));
    if (json)
      stdout.write(
        `${JSON.stringify({ name: validated.definition.name, valid: true, steps: validated.order })}\n`,
      );
    else
      stdout.write(
        `${file}: pipeline ${validated.definition.name} is valid (steps: ${validated.order.join(", ")})\n`,
      );
  },
};

export const pipelineRunCommand: Command = {
  name: ["pipeline", "run"],
  summary:
    "Run a pipeline file (or a registered pipeline, user/name) on this Hangar's models, no server needed",
  usage: "<file|user/name>",
  usesHome: true,
  options: {
    input: {
      type: "string",
      multiple: true,
      description: "An input as name=value or name=@file (repeatable)",
      valueName: "NAME=VALUE",
    },
  },
  async run({ positionals, values, config, json, stdout }) {
    const [source] = positionals;
    if (!source || positionals.length > 1)
      throw badRequest("Usage: hangar pipeline run <file|user/name> --input name=value...");
    const hangar = await createHangar(config);
    try {
      let definition: PipelineDefinition;
      const registered = /^[^/\\.]+\/[^/\\.]+$/.test(source) ? source.split("/") : undefined;
      if (registered) {
        const row = await hangar.catalog.pipelines.get(registered[0]!, registered[1]!);
        if (!row) throw badRequest(`${registered[0]} has no pipeline named "${registered[1]}"`);
        definition = JSON.parse(row.definition) as PipelineDefinition;
      } else definition = await readDefinition(source);
      const inputs = await readInputs(definition, (values.input as unknown[] | undefined) ?? []);
      const run = await runAndKeep(hangar, localAdministrator(), definition, inputs);
      if (json) stdout.write(`${JSON.stringify(run)}\n`);
      else {
        for (const step of run.steps) {
          stdout.write(
            `${step.step}\t${step.status}\t${step.model}\t${step.started_ms.toFixed(0)}-${step.finished_ms.toFixed(0)} ms\t${step.calls} calls, ${step.cache_hits} cached${step.error ? `\t${step.error.message}` : ""}\n`,
          );
        }
        stdout.write(`${JSON.stringify(run.outputs, null, 2)}\n`);
      }
      return run.status === "completed" ? 0 : 1;
    } finally {
      await hangar.close();
    }
  },
};
