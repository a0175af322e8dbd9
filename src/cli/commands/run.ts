import { readFile, stat } from "node:fs/promises";
import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { createHangar } from "../../hangar.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import type { InferenceRequest } from "../../inference/inference-runtime.ts";
import type { Command } from "../command.ts";

/** `k=v` pairs; values are JSON when they parse (numbers, booleans, lists), text otherwise. */
function parseParameters(pairs: unknown[]): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const pair of pairs) {
    const text = String(pair);
    const equals = text.indexOf("=");
    if (equals <= 0) throw badRequest(`--param must be key=value, got "${text}"`);
    const value = text.slice(equals + 1);
    try {
      parameters[text.slice(0, equals)] = JSON.parse(value);
    } catch {
      parameters[text.slice(0, equals)] = value;
    }
  }
  return parameters;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** The input as given: a file's contents, JSON for structured inputs (`{"question": ...}`), or the text. */
async function readInput(argument: string, inputFromFile?: (bytes: Buffer, path: string) => unknown) {
  if (await isFile(argument)) {
    const bytes = await readFile(argument);
    return inputFromFile ? inputFromFile(bytes, argument) : bytes.toString("utf8").replace(/\r?\n$/, "");
  }
  if (/^\s*[[{]/.test(argument)) {
    try {
      return JSON.parse(argument) as unknown;
    } catch {
      return argument;
    }
  }
  return argument;
}

const score = (value: unknown) => (typeof value === "number" ? value.toFixed(4) : String(value));

/** One readable line per result, by the shape of the output. */
function readable(task: string, outputs: unknown): string {
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const lines: string[] = [];
  for (const item of list) {
    if (Array.isArray(item) && item.every((value) => typeof value === "number")) {
      const shown = item.slice(0, 8).map((value) => (value as number).toFixed(4));
      lines.push(`[${countNoun(item.length, "number")}] ${shown.join(" ")}${item.length > 8 ? " ..." : ""}`);
    } else if (Array.isArray(item)) {
      lines.push(readable(task, item), "");
    } else if (typeof item === "number") {
      lines.push(score(item));
    } else if (item && typeof item === "object") {
      const entry = item as Record<string, unknown>;
      if ("entity_group" in entry || "entity" in entry) {
        lines.push(
          `${entry.entity_group ?? entry.entity}\t${entry.word}\t[${entry.start}, ${entry.end}]\t${score(entry.score)}`,
        );
      } else if ("answer" in entry) {
        lines.push(`${entry.answer}\t[${entry.start}, ${entry.end}]\t${score(entry.score)}`);
      } else if ("token_str" in entry) {
        lines.push(`${score(entry.score)}\t${entry.token_str}\t${entry.sequence}`);
      } else if ("label" in entry) {
        lines.push(`${entry.label}\t${score(entry.score)}`);
      } else if (typeof entry.start === "number" && typeof entry.end === "number" && !("word" in entry)) {
        // A span of time: voice-activity detection's speech segments, in seconds.
        lines.push(`${entry.start.toFixed(2)} s - ${entry.end.toFixed(2)} s\t${score(entry.score)}`);
      } else if ("generated_text" in entry) {
        lines.push(String(entry.generated_text));
      } else {
        lines.push(JSON.stringify(entry));
      }
    } else {
      lines.push(String(item));
    }
  }
  return lines.join("\n").replace(/\n+$/, "");
}

export const runCommand: Command = {
  name: ["run"],
  summary: "Run a model of this Hangar locally on an input (no server needed)",
  usage: "<task> <model> <input|file>",
  usesHome: true,
  options: {
    param: {
      type: "string",
      multiple: true,
      description: "A task parameter as key=value (repeatable), e.g. --param top_k=2",
      valueName: "K=V",
    },
    revision: {
      type: "string",
      description: "Branch, tag or commit of the model (default main)",
      valueName: "REV",
    },
  },
  async run({ positionals, values, config, json, stdout }) {
    const [task, model, input, ...extra] = positionals;
    if (!task || !model || input === undefined || extra.length > 0) {
      throw badRequest("Usage: hangar run <task> <model> <input|file> [--param k=v]... [--json]");
    }
    const hangar = await createHangar(config);
    try {
      const definition = hangar.inference.registry.task(task);
      const request: InferenceRequest = {
        caller: localAdministrator(),
        model,
        task,
        inputs: await readInput(input, definition?.inputFromFile),
        parameters: parseParameters((values.param as unknown[] | undefined) ?? []),
        ...(typeof values.revision === "string" ? { revision: values.revision } : {}),
        api: "cli",
      };
      if (definition?.streams && !json) {
        // Text appears as it is generated.
        const stream = await hangar.inference.stream(request);
        for await (const chunk of stream.chunks) stdout.write(chunk.text);
        stdout.write("\n");
        return;
      }
      const result = await hangar.inference.run(request);
      stdout.write(json ? `${JSON.stringify(result)}\n` : `${readable(result.task, result.outputs)}\n`);
    } finally {
      await hangar.close();
    }
  },
};
