import { HangarError } from "../../core/errors.ts";
import type { ModelSource } from "../runtime/model-loader.ts";

/** The `config.json` of a model as extracted at commit time. */
export function modelConfig(source: ModelSource): Record<string, unknown> {
  return source.metadata.config ?? {};
}

/** A file path named by config.json, checked against the commit's tree so a bad config fails clearly. */
export function configuredFile(source: ModelSource, key: string, fallback: string): string {
  const value = modelConfig(source)[key];
  const path = typeof value === "string" && value.length > 0 ? value : fallback;
  if (!source.files.some((file) => file.path === path)) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `${source.repo.id} cannot be loaded: ${path} (config.json "${key}") is not in the repo`,
    );
  }
  return path;
}

/** Sum of the sizes of some files of the model, the basis of a memory estimate. */
export function filesSize(source: ModelSource, paths: readonly string[]): number {
  return source.files.filter((file) => paths.includes(file.path)).reduce((sum, file) => sum + file.size, 0);
}

/** A failure while opening a model's files: clear, and never a half-loaded model. */
export function loadFailure(source: ModelSource, error: unknown): HangarError {
  if (HangarError.isInstance(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new HangarError("HANGAR_ERR_INTERNAL", `${source.repo.id} failed to load: ${reason}`, {
    cause: error,
  });
}

/** Stops a long multi-step run when the client has gone away or the request timed out. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new Error("The inference call was cancelled");
  }
}
