import { parseCardYaml } from "./parse-card-yaml.ts";
import { readAdapterConfig } from "./read-adapter-config.ts";
import { parseGgufHeader } from "./read-gguf.ts";
import { countSafetensorsParameters, parseSafetensorsIndex } from "./read-safetensors.ts";

/** What the metadata worker runs: parsers of untrusted files whose work grows with their size. */
export const jobs = {
  parseCardYaml: (input: { yaml: string }) => parseCardYaml(input.yaml),
  countSafetensorsParameters,
  parseSafetensorsIndex,
  readAdapterConfig,
  parseGgufHeader,
};
