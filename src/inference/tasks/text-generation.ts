import { badRequest } from "../../core/errors.ts";
import {
  definedOnly,
  isRecord,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalStrings,
  type TaskDefinition,
} from "./task-definition.ts";

export interface ChatMessage {
  role: string;
  content: string;
}

/** The roles a chat message may have, as OpenAI's chat API accepts them. */
export const CHAT_ROLES = ["system", "developer", "user", "assistant", "tool"] as const;

/** Validates OpenAI-style chat messages; content parts of type text are joined. */
export function parseMessages(value: unknown, field = "messages"): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest(`"${field}" must be a non-empty list of {role, content}`);
  }
  return value.map((message, index) => {
    if (!isRecord(message) || typeof message.role !== "string") {
      throw badRequest(`"${field}[${index}]" must be an object with a string "role"`, {
        details: { param: `${field}[${index}]` },
      });
    }
    if (!(CHAT_ROLES as readonly string[]).includes(message.role)) {
      const param = `${field}[${index}].role`;
      throw badRequest(
        `"${param}" must be one of ${CHAT_ROLES.join(", ")}; got ${JSON.stringify(message.role)}`,
        {
          details: { param },
        },
      );
    }
    const content = message.content;
    if (typeof content === "string") return { role: message.role, content };
    if (Array.isArray(content)) {
      const parts = content.map((part) => {
        if (isRecord(part) && part.type === "text" && typeof part.text === "string") return part.text;
        throw badRequest(`"${field}[${index}].content" may only hold text parts`);
      });
      return { role: message.role, content: parts.join("") };
    }
    throw badRequest(`"${field}[${index}].content" must be a string`);
  });
}

/** The generation parameters shared by the task API, the Hub route and the OpenAI routes. */
export function parseGenerationParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  const stop = optionalStrings(parameters, "stop");
  if (stop?.some((sequence) => sequence.length === 0)) {
    throw badRequest('"parameters.stop" must not hold empty strings');
  }
  return definedOnly({
    max_new_tokens: optionalInteger(parameters, "max_new_tokens", { min: 1, max: 32_768 }),
    temperature: optionalNumber(parameters, "temperature", { min: 0, max: 100 }),
    top_p: optionalNumber(parameters, "top_p", { min: 0, max: 1 }),
    top_k: optionalInteger(parameters, "top_k", { min: 1, max: 100_000 }),
    do_sample: optionalBoolean(parameters, "do_sample"),
    repetition_penalty: optionalNumber(parameters, "repetition_penalty", { min: 0, max: 100 }),
    return_full_text: optionalBoolean(parameters, "return_full_text"),
    seed: optionalInteger(parameters, "seed", { min: 0, max: Number.MAX_SAFE_INTEGER }),
    stop,
  });
}

/**
 * text-generation. Inputs: a prompt, or chat messages `[{role, content}]` (the model's chat template is
 * applied). Parameters: `max_new_tokens` (default 64), `temperature`, `top_p`, `top_k`, `do_sample` (default
 * false: greedy), `repetition_penalty`, `return_full_text` (default false), `stop` (strings that end the
 * text). Outputs: `{generated_text}` (for messages, the assistant's reply), plus `finish_reason` and token
 * counts in `usage`. Prompts over the model's limit are refused (413). Streams token by token.
 */
export const textGenerationTask: TaskDefinition = {
  task: "text-generation",
  summary: "Continues a prompt or answers chat messages",
  truncates: false,
  outputUnit: "tokens",
  countOutput: (output) =>
    isRecord(output) && isRecord(output.usage) && typeof output.usage.completion_tokens === "number"
      ? output.usage.completion_tokens
      : 0,
  streams: true,
  parse(inputs, parameters) {
    const parsed =
      typeof inputs === "string"
        ? inputs
        : Array.isArray(inputs) && inputs.every(isRecord)
          ? parseMessages(inputs, "inputs")
          : undefined;
    if (parsed === undefined || parsed.length === 0) {
      throw badRequest('"inputs" must be a prompt string or a list of chat messages {role, content}');
    }
    return { inputs: parsed, parameters: parseGenerationParameters(parameters) };
  },
  matchBody(body) {
    const parameters = isRecord(body.parameters) ? body.parameters : {};
    if ("max_new_tokens" in parameters || "return_full_text" in parameters) return 2;
    return typeof body.inputs === "string" ? 1 : 0;
  },
  // The Hub's serverless text-generation answers a list with one generation.
  toHubOutput(output) {
    return isRecord(output) ? [{ generated_text: output.generated_text }] : output;
  },
  inputText: (inputs) =>
    typeof inputs === "string" ? [inputs] : (inputs as ChatMessage[]).map((message) => message.content),
};
