import { endsWord, startsWord, type TokenSpan } from "./token-offsets.ts";

/** An extractive answer: `answer` is exactly `context.slice(start, end)`. */
export interface Answer {
  answer: string;
  score: number;
  start: number;
  end: number;
}

export interface AnswerSpansParams {
  context: string;
  /** Start and end logits of every position of the model's row. */
  startLogits: readonly number[];
  endLogits: readonly number[];
  /** The row's context tokens in order: their position in the row and their span in `context`. */
  contextTokens: ReadonlyArray<{ position: number; span: TokenSpan | null }>;
  /** The row's first real position, which some models use for "no answer": it takes part in the softmax. */
  noAnswerPosition: number;
  count: number;
}

/** Softmax over the allowed positions (and the no-answer one), which then scores 0: it is never an answer. */
function scoresOver(logits: readonly number[], allowed: ReadonlySet<number>, noAnswer: number): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (const [position, value] of logits.entries()) {
    if ((allowed.has(position) || position === noAnswer) && value > max) max = value;
  }
  const exps = logits.map((value, position) =>
    allowed.has(position) || position === noAnswer ? Math.exp(value - max) : 0,
  );
  const total = exps.reduce((sum, value) => sum + value, 0);
  const scores = exps.map((value) => (total > 0 ? value / total : 0));
  scores[noAnswer] = 0;
  return scores;
}

/**
 * The best `count` answers, ranked as transformers.js's pipeline ranks spans (softmax of start and end logits
 * over the context, the product for every span with start <= end), except that an answer starts where a word
 * starts and ends where a word ends: a word piece such as "##k" of "Cook" is never an answer on its own. Each
 * answer is cut from the context at its tokens' character offsets, so it is the context's own text.
 */
export function bestAnswers(params: AnswerSpansParams): Answer[] {
  const { context, contextTokens, noAnswerPosition, count } = params;
  const placed = contextTokens.filter(
    (token): token is { position: number; span: TokenSpan } => token.span !== null,
  );
  const starts = placed.filter((token) => startsWord(context, token.span.start));
  const ends = placed.filter((token) => endsWord(context, token.span.end));
  const startScores = scoresOver(
    params.startLogits,
    new Set(starts.map((token) => token.position)),
    noAnswerPosition,
  );
  const endScores = scoresOver(
    params.endLogits,
    new Set(ends.map((token) => token.position)),
    noAnswerPosition,
  );
  const best: Answer[] = [];
  for (const first of starts) {
    for (const last of ends) {
      if (last.position < first.position || last.span.end <= first.span.start) continue;
      const score = startScores[first.position]! * endScores[last.position]!;
      if (best.length === count && score <= best[count - 1]!.score) continue;
      const start = first.span.start;
      const end = last.span.end;
      // Two token pairs may cut the same text (an unknown token shares its neighbours' stretch): keep the best.
      const same = best.findIndex((answer) => answer.start === start && answer.end === end);
      if (same >= 0) {
        if (best[same]!.score >= score) continue;
        best.splice(same, 1);
      }
      let at = best.length;
      while (at > 0 && best[at - 1]!.score < score) at--;
      best.splice(at, 0, { answer: context.slice(start, end), score, start, end });
      if (best.length > count) best.pop();
    }
  }
  return best;
}
