import type { BackendCall, BackendResult } from "../backend.ts";
import { isRecord } from "../tasks/task-definition.ts";

/** The text-generation output of Hangar's task API, which every backend answers with. */
export interface GenerationOutput {
  generated_text: string;
  finish_reason: "stop" | "length";
  usage: { prompt_tokens: number; completion_tokens: number };
}

/** The prompt and completion tokens of an OpenAI-shaped `usage` object; 0 for what a server leaves out. */
export function tokenUsage(usage: unknown): GenerationOutput["usage"] {
  const counts = isRecord(usage) ? usage : {};
  return {
    prompt_tokens: Number(counts.prompt_tokens ?? 0),
    completion_tokens: Number(counts.completion_tokens ?? 0),
  };
}

/** Meters a call's input as the prompt tokens a remote server counted. */
export function meterPromptTokens(call: BackendCall, tokens: number): void {
  call.meter.inputUnits = tokens;
  call.meter.unit = "tokens";
}

/** A remote text generation's result, metered by the tokens the server counted. */
export function generationResult(
  call: BackendCall,
  output: GenerationOutput,
  answered: { model: string; revision: string; task: string },
): BackendResult {
  meterPromptTokens(call, output.usage.prompt_tokens);
  return {
    ...answered,
    outputs: output,
    usage: {
      input_units: output.usage.prompt_tokens,
      output_units: output.usage.completion_tokens,
      unit: "tokens",
      output_unit: "tokens",
      latency_ms: 0,
    },
  };
}
