import { parseModelCard } from "../metadata/parse-model-card.ts";

export interface YamlValidation {
  errors: Array<{ message: string }>;
  warnings: Array<{ message: string }>;
}

/**
 * Checks the metadata of a README before a commit (Python calls this for every README it uploads). Front
 * matter that does not parse is an error; anything else the card parser notices is a warning.
 */
export function validateYaml(params: { content: string }): YamlValidation {
  const card = parseModelCard(params.content);
  const errors: YamlValidation["errors"] = [];
  const warnings: YamlValidation["warnings"] = [];
  for (const message of card.warnings) {
    (message.includes("not valid YAML") ? errors : warnings).push({ message });
  }
  return { errors, warnings };
}
