import { HangarError } from "../../core/errors.ts";
import {
  MAX_CARD_METADATA_BYTES,
  oversizedCardMetadata,
  parseModelCard,
  splitFrontMatter,
} from "../metadata/parse-model-card.ts";

export interface YamlValidation {
  errors: Array<{ message: string }>;
  warnings: Array<{ message: string }>;
}

/**
 * Checks the metadata of a README before a commit (Python calls this for every README it uploads). Front
 * matter that does not parse is an error; anything else the card parser notices is a warning. Metadata over
 * the size Hangar reads is refused with 413, as the Hub refuses cards too large for it.
 */
export async function validateYaml(params: { content: string }): Promise<YamlValidation> {
  const yaml = splitFrontMatter(params.content)?.yaml ?? "";
  const bytes = Buffer.byteLength(yaml);
  if (bytes > MAX_CARD_METADATA_BYTES) {
    throw new HangarError("HANGAR_ERR_PAYLOAD_TOO_LARGE", oversizedCardMetadata(bytes));
  }
  const card = await parseModelCard(params.content);
  const errors: YamlValidation["errors"] = [];
  const warnings: YamlValidation["warnings"] = [];
  for (const message of card.warnings) {
    (message.includes("not valid YAML") ? errors : warnings).push({ message });
  }
  return { errors, warnings };
}
