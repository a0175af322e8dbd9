/** The files of a model repo: path -> text or bytes. */
export type ModelFiles = Record<string, string | Uint8Array>;

export function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** What a factory builder returns: the repo's files and facts worth reporting. */
export interface BuiltModel {
  files: ModelFiles;
  /** The pipeline task the model serves first. */
  pipelineTag: string;
  /** Measured facts (held-out accuracy, parameter count...), for the CLI and tests. */
  facts: Record<string, number | string>;
}
