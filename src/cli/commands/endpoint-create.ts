import { badRequest } from "../../core/errors.ts";
import { requiredPositional, stringOption } from "../client/cli-options.ts";
import {
  type ApiEndpointView,
  ENDPOINT_OPTIONS,
  EndpointsClient,
  endpointLine,
} from "../client/endpoints-client.ts";
import type { Command, CommandInput } from "../command.ts";

function count(input: CommandInput, name: string): number | undefined {
  const value = stringOption(input, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

function positive(input: CommandInput, name: string): number | undefined {
  const value = stringOption(input, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw badRequest(`--${name} must be a non-negative number, got "${value}"`);
  return number;
}

export const endpointCreateCommand: Command = {
  name: ["endpoint", "create"],
  summary: "Deploy a model of this Hangar as an inference endpoint (or register a remote one with --url)",
  usage: "<name>",
  options: {
    ...ENDPOINT_OPTIONS,
    model: {
      type: "string",
      description: "The model repo id, e.g. hangar/sentiment-tiny",
      valueName: "REPO",
    },
    revision: {
      type: "string",
      description: "Branch, tag or commit (default main, pinned to its commit)",
      valueName: "REV",
    },
    task: { type: "string", description: "The task (default: the model's first)", valueName: "TASK" },
    size: {
      type: "string",
      description: "Instance size x1...x8: onnxruntime threads per replica (default x1)",
      valueName: "SIZE",
    },
    "min-replica": {
      type: "string",
      description: "Fewest replicas; 0 allows scale to zero (default 1)",
      valueName: "N",
    },
    "max-replica": { type: "string", description: "Most replicas, up to 8 (default 1)", valueName: "N" },
    "scale-to-zero-timeout": {
      type: "string",
      description: "Minutes without a request before scaling to zero (with --min-replica 0; default 15)",
      valueName: "MIN",
    },
    type: {
      type: "string",
      description: "Who may call it: public, authenticated (default) or private",
      valueName: "TYPE",
    },
    price: {
      type: "string",
      description: "Price of one replica-hour in USD (default 0.03 per thread)",
      valueName: "USD",
    },
    url: {
      type: "string",
      description: "Register a remote Inference Endpoint at this URL instead",
      valueName: "URL",
    },
    "api-key-env": {
      type: "string",
      description: "For --url: the server's environment variable holding the remote endpoint's token",
      valueName: "VAR",
    },
  },
  async run(input) {
    const name = requiredPositional(input, 0, "<name>");
    const model = stringOption(input, "model");
    if (!model) throw badRequest("--model is required: hangar endpoint create NAME --model REPO");
    const url = stringOption(input, "url");
    const size = stringOption(input, "size");
    const body = {
      name,
      type: stringOption(input, "type") ?? "authenticated",
      provider: url ? { vendor: "remote", region: "remote" } : { vendor: "hangar", region: "local" },
      compute: {
        ...(url ? {} : { accelerator: "cpu", instanceType: "cpu", instanceSize: size ?? "x1" }),
        ...(positive(input, "price") !== undefined ? { pricePerHour: positive(input, "price") } : {}),
        scaling: {
          minReplica: count(input, "min-replica") ?? 1,
          maxReplica: count(input, "max-replica") ?? 1,
          scaleToZeroTimeout: positive(input, "scale-to-zero-timeout") ?? null,
        },
      },
      model: {
        repository: model,
        revision: stringOption(input, "revision") ?? null,
        framework: "custom",
        image: { huggingface: {} },
        ...(stringOption(input, "task") ? { task: stringOption(input, "task") } : {}),
      },
      ...(url ? { remote: { url, apiKeyEnv: stringOption(input, "api-key-env") ?? null } } : {}),
    };
    const client = await EndpointsClient.of(input);
    const endpoint = await client.request<ApiEndpointView>("POST", "", body);
    input.stdout.write(input.json ? `${JSON.stringify(endpoint)}\n` : `${endpointLine(endpoint)}\n`);
  },
};
