import type { EvaluationQuery, StoredEvaluation } from "../core/catalog-types.ts";
import { badRequest } from "../core/errors.ts";
import { canRead } from "../hub/access.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { HubContext } from "../hub/hub.ts";
import { type Evaluation, toEvaluation } from "./evaluation-record.ts";
import { findReadableRepo } from "./read-dataset-file.ts";

export const DEFAULT_EVALUATIONS_LIMIT = 100;
export const MAX_EVALUATIONS_LIMIT = 1000;

export interface ListEvaluationsParams {
  /** Only runs of this model. */
  model?: string;
  /** Only runs on this dataset. */
  dataset?: string;
  task?: string;
  limit?: number;
}

export interface EvaluationList {
  evaluations: Evaluation[];
}

/**
 * The evaluations Hangar ran, newest first, of the models and datasets the caller may read. Naming a model
 * or dataset the caller cannot read is a 404, as it is everywhere else.
 */
export async function listEvaluations(
  hub: HubContext,
  caller: Caller,
  params: ListEvaluationsParams,
): Promise<EvaluationList> {
  const limit = params.limit ?? DEFAULT_EVALUATIONS_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_EVALUATIONS_LIMIT) {
    throw badRequest(`limit must be a whole number from 1 to ${MAX_EVALUATIONS_LIMIT}`);
  }
  const query: EvaluationQuery = {};
  if (params.model !== undefined)
    query.modelRepoPk = (await findReadableRepo(hub, caller, params.model, "model")).pk;
  if (params.dataset !== undefined) {
    query.datasetRepoPk = (await findReadableRepo(hub, caller, params.dataset, "dataset")).pk;
  }
  if (params.task !== undefined) query.task = params.task;
  const readable = new Map<number, boolean>();
  const mayRead = async (pk: number) => {
    let allowed = readable.get(pk);
    if (allowed === undefined) {
      const repo = await hub.catalog.repos.getByPk(pk);
      allowed = repo !== undefined && canRead(caller, repo);
      readable.set(pk, allowed);
    }
    return allowed;
  };
  // Runs the caller may not see are dropped after the query, so fetch past the limit.
  const runs: StoredEvaluation[] = [];
  for (const run of await hub.catalog.evaluations.list(query, MAX_EVALUATIONS_LIMIT * 10)) {
    if (runs.length >= limit) break;
    if ((await mayRead(run.modelRepoPk)) && (await mayRead(run.datasetRepoPk))) runs.push(run);
  }
  return { evaluations: runs.map(toEvaluation) };
}
