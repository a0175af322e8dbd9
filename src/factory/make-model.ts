import { badRequest } from "../core/errors.ts";
import type { RepoRef } from "../core/types.ts";
import type { HubContext } from "../hub/hub.ts";
import { type CommitModelFilesResult, commitModelFiles } from "./commit-model.ts";
import type { BuiltModel } from "./model-files.ts";
import { buildSentimentModel } from "./sentiment.ts";

/** The kinds of model the factory makes. */
export const MODEL_KINDS = ["sentiment"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface BuildModelOptions {
  /** The repo name, written into the card's model-index. */
  name: string;
}

export function isModelKind(kind: string): kind is ModelKind {
  return (MODEL_KINDS as readonly string[]).includes(kind);
}

/** Builds a model's files in memory, without touching the hub. */
export async function buildModel(kind: ModelKind, options: BuildModelOptions): Promise<BuiltModel> {
  switch (kind) {
    case "sentiment":
      return buildSentimentModel(options);
  }
}

export interface MakeModelParams {
  kind: string;
  repo: RepoRef;
  message?: string;
  onFileStored?: (path: string, bytes: number) => void;
}

export interface MakeModelResult extends CommitModelFilesResult {
  kind: ModelKind;
  pipelineTag: string;
  files: Record<string, number>;
  facts: BuiltModel["facts"];
}

/** Builds a model of the given kind and commits it to the hub as one commit on main. */
export async function makeModel(hub: HubContext, params: MakeModelParams): Promise<MakeModelResult> {
  const kind = params.kind;
  if (!isModelKind(kind))
    throw badRequest(`Unknown model kind "${kind}": expected one of ${MODEL_KINDS.join(", ")}`);
  if (params.repo.type !== "model") throw badRequest("The model factory writes model repos only");
  const built = await buildModel(kind, { name: params.repo.name });
  const result = await commitModelFiles(hub, {
    repo: params.repo,
    files: built.files,
    message: params.message ?? `Make ${kind} model (Hangar model factory)`,
    ...(params.onFileStored ? { onFileStored: params.onFileStored } : {}),
  });
  return {
    ...result,
    kind,
    pipelineTag: built.pipelineTag,
    facts: built.facts,
    files: Object.fromEntries(
      Object.entries(built.files).map(([path, content]) => [
        path,
        typeof content === "string" ? Buffer.byteLength(content) : content.byteLength,
      ]),
    ),
  };
}
