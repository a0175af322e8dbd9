import type { Action, ClientContext } from "./client-context.ts";
import { lfsCommit, ownCommit, sharedCommit } from "./commit-actions.ts";
import { NoAnswerError } from "./http.ts";
import { inferences } from "./inference-actions.ts";
import { badToken, malformed } from "./malformed-actions.ts";
import { discover, download, history, info, listing, rangedDownload, tree } from "./read-actions.ts";
import type { Outcome } from "./recorder.ts";

/** Every action of the mix, with its weight. */
export const ACTIONS: readonly Action[] = [
  listing,
  info,
  tree,
  history,
  discover,
  download,
  rangedDownload,
  ownCommit,
  sharedCommit,
  lfsCommit,
  ...inferences,
  malformed,
  badToken,
];

const TOTAL_WEIGHT = ACTIONS.reduce((sum, action) => sum + action.weight, 0);

/** Picks an action by weight among those that may run now. */
export function pickAction(context: ClientContext): Action {
  for (;;) {
    let point = context.random() * TOTAL_WEIGHT;
    const action = ACTIONS.find((candidate) => {
      point -= candidate.weight;
      return point < 0;
    });
    if (action && (!action.mayRun || action.mayRun(context))) return action;
  }
}

/** Runs an action, turning a missing answer (reset, timeout) into an unexpected outcome. */
export async function runAction(action: Action, context: ClientContext): Promise<Outcome> {
  try {
    return await action.run(context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: "error",
      expected: false,
      problem: error instanceof NoAnswerError ? message : `client error: ${message}`,
    };
  }
}
