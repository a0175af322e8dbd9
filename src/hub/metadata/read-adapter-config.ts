import type { ModelFileFacts } from "../../core/types.ts";

/** The base model and PEFT method an `adapter_config.json` names. */
export function readAdapterConfig(input: { bytes: Uint8Array }): NonNullable<ModelFileFacts["adapter"]> {
  const adapter: unknown = JSON.parse(new TextDecoder().decode(input.bytes));
  if (!adapter || typeof adapter !== "object" || Array.isArray(adapter))
    throw new Error("is not a JSON object");
  const fields = adapter as Record<string, unknown>;
  return {
    baseModel: typeof fields.base_model_name_or_path === "string" ? fields.base_model_name_or_path : null,
    peftType: typeof fields.peft_type === "string" ? fields.peft_type : null,
  };
}
