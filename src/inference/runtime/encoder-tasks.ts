import { HangarError } from "../../core/errors.ts";
import { bestAnswers } from "./answer-spans.ts";
import { bestIndices, rows, sigmoid, softmax, unitLength } from "./logits.ts";
import type { InferenceCall } from "./model-loader.ts";
import { groupEntities, type TokenEntity } from "./token-entities.ts";
import { startsWord, tokenOffsets } from "./token-offsets.ts";
import type { TransformersModelParts } from "./transformers-types.ts";

// The encoder tasks of a model loaded by transformers.js, each over a whole batch of texts in one model call
// (see `TransformersModel.runBatch` in transformers-loader.ts).

/** The texts a call puts through the model: its input or inputs, a similarity's source sentence first. */
export function callTexts(call: InferenceCall): string[] {
  if (call.task === "sentence-similarity") {
    const inputs = call.inputs as { source_sentence: string; sentences: string[] };
    return [inputs.source_sentence, ...inputs.sentences];
  }
  return Array.isArray(call.inputs) ? (call.inputs as string[]) : [call.inputs as string];
}

export async function classify(
  model: TransformersModelParts,
  texts: string[],
  parameters: Record<string, unknown>,
): Promise<unknown[]> {
  const { logits } = await model.main.model(model.tokenize(texts));
  const config = model.main.model.config;
  const labelOf = (index: number) => config.id2label?.[index] ?? `LABEL_${index}`;
  return rows(logits!).map((row) => {
    const method =
      (parameters.function_to_apply as string | undefined) ??
      (config.problem_type === "multi_label_classification" || row.length === 1 ? "sigmoid" : "softmax");
    const scores = method === "softmax" ? softmax(row) : method === "sigmoid" ? row.map(sigmoid) : row;
    const ranked = scores
      .map((score, index) => ({ label: labelOf(index), score }))
      .sort((a, b) => b.score - a.score);
    return ranked.slice(0, (parameters.top_k as number | undefined) ?? ranked.length);
  });
}

export async function tagTokens(
  model: TransformersModelParts,
  texts: string[],
  parameters: Record<string, unknown>,
): Promise<unknown[]> {
  const { length, width: labels, data, ids, mask } = await model.tokenLogits(texts);
  const special = new Set(model.main.tokenizer.all_special_ids.map(Number));
  const config = model.main.model.config;
  const ignore = (parameters.ignore_labels as string[] | undefined) ?? ["O"];
  const aggregate = (parameters.aggregation_strategy as string | undefined) !== "none";
  return texts.map((text, row) => {
    const positions: number[] = [];
    for (let position = 0; position < length; position++) {
      const id = Number(ids[row]![position]);
      if (mask[row]![position] && !special.has(id)) positions.push(position);
    }
    const spans = tokenOffsets(
      text,
      positions.map((position) => model.tokenText(Number(ids[row]![position]))),
      model.markers,
    );
    let cursor = 0;
    const tokens: TokenEntity[] = positions.map((position, index) => {
      // A token that cannot be placed takes no characters, where the previous one ended.
      const span = spans[index] ?? { start: cursor, end: cursor };
      cursor = span.end;
      const offset = (row * length + position) * labels;
      const scores = softmax(Array.from(data.subarray(offset, offset + labels)));
      const best = scores.indexOf(Math.max(...scores));
      return {
        entity: config.id2label?.[best] ?? `LABEL_${best}`,
        score: scores[best]!,
        index: position,
        word: text.slice(span.start, span.end),
        start: span.start,
        end: span.end,
        continues: spans[index] !== null && !startsWord(text, span.start),
      };
    });
    if (!aggregate) {
      return tokens
        .filter((token) => !ignore.includes(token.entity))
        .map(({ entity, score, index, word, start, end }) => ({ entity, score, index, word, start, end }));
    }
    return groupEntities(tokens, text, ignore);
  });
}

/**
 * Token vectors from the model, pooled here rather than by transformers.js's feature-extraction pipeline:
 * its mean pooling walks the hidden states column by column converting every int64 mask value to a
 * number, about 2.5 ms per 128-token BERT-base text on the event loop (50 ms for a batch of 16), ten
 * times what a row-by-row sum costs. Same results: mean over the unmasked tokens, [CLS], or every token.
 */
export async function embed(
  model: TransformersModelParts,
  texts: string[],
  parameters: Record<string, unknown>,
): Promise<unknown[]> {
  const encoded = model.tokenize(texts);
  const outputs = await model.main.model(encoded);
  const states = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings;
  if (!states) throw new HangarError("HANGAR_ERR_INTERNAL", `${model.key} gave no token vectors`);
  const [count, length, width] = states.dims as [number, number, number];
  const data = states.data as Float32Array;
  const mask = encoded.attention_mask.data as ArrayLike<number | bigint>;
  const pooling = (parameters.pooling as string | undefined) ?? "mean";
  const normalize = (parameters.normalize as boolean | undefined) ?? false;
  const finish = (vector: Float32Array): number[] => Array.from(normalize ? unitLength(vector) : vector);
  return Array.from({ length: count }, (_, row) => {
    const kept: number[] = [];
    for (let position = 0; position < length; position++) {
      if (Number(mask[row * length + position]) !== 0) kept.push(position);
    }
    const tokenVector = (position: number) => {
      const start = (row * length + position) * width;
      return data.slice(start, start + width);
    };
    if (pooling === "none") return kept.map((position) => finish(tokenVector(position)));
    if (pooling === "cls") return finish(tokenVector(0));
    const sums = new Float64Array(width);
    for (const position of kept) {
      const start = (row * length + position) * width;
      for (let i = 0; i < width; i++) sums[i]! += data[start + i]!;
    }
    const mean = new Float32Array(width);
    for (let i = 0; i < width; i++) mean[i] = sums[i]! / kept.length;
    return finish(mean);
  });
}

/**
 * Fill-mask as transformers.js's pipeline does it (softmax over the vocabulary at the first mask token,
 * the best `top_k` tokens, the text with each put in), for every text at once. A text without the mask
 * token gets an Error, so it fails alone.
 */
export async function fillMasks(
  model: TransformersModelParts,
  texts: string[],
  parameters: Record<string, unknown>,
): Promise<unknown[]> {
  const tokenizer = model.main.tokenizer;
  const maskId = tokenizer.mask_token_id;
  if (maskId === undefined || maskId === null) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${model.key} has no mask token`);
  }
  const { length, width: vocabulary, data, ids, mask } = await model.tokenLogits(texts);
  const topK = (parameters.top_k as number | undefined) ?? 5;
  return texts.map((_, row) => {
    const rowIds = ids[row]!;
    const position = rowIds.findIndex((id) => Number(id) === maskId);
    if (position < 0) {
      return new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `"inputs" must contain the mask token ${tokenizer.mask_token ?? ""}`.trimEnd(),
      );
    }
    const offset = (row * length + position) * vocabulary;
    const scores = softmax(Array.from(data.subarray(offset, offset + vocabulary)));
    return bestIndices(scores, topK).map((token) => {
      const filled = rowIds.map((id, index) => (index === position ? BigInt(token) : id));
      return {
        score: scores[token]!,
        token,
        token_str: tokenizer.decode([token]),
        sequence: tokenizer.decode(
          filled.filter((_, index) => Number(mask[row]![index]) !== 0),
          { skip_special_tokens: true },
        ),
      };
    });
  });
}

/**
 * Extractive QA for every (question, context) pair at once: one model call, then the best spans of each
 * row's context tokens (see `bestAnswers`), cut from the context at the tokens' character offsets.
 */
export async function answerQuestions(
  model: TransformersModelParts,
  calls: readonly InferenceCall[],
): Promise<unknown[]> {
  const pairs = calls.map((call) => call.inputs as { question: string; context: string });
  const encoded = model.tokenize(
    pairs.map((pair) => pair.question),
    { text_pair: pairs.map((pair) => pair.context) },
  );
  const outputs = await model.main.model(encoded);
  const startRows = rows(outputs.start_logits!);
  const endRows = rows(outputs.end_logits!);
  const ids = encoded.input_ids.tolist() as bigint[][];
  const mask = encoded.attention_mask.tolist() as bigint[][];
  const tokenizer = model.main.tokenizer;
  const special = new Set(tokenizer.all_special_ids.map(Number));
  return calls.map((call, row) => {
    const rowIds = ids[row]!.map(Number);
    const real = (index: number) => Number(mask[row]![index]) !== 0;
    // Padding may sit on either side; the pipeline's "position 0" is the first real token.
    const first = rowIds.findIndex((_, index) => real(index));
    const separator = rowIds.findIndex((id, index) => real(index) && id === tokenizer.sep_token_id);
    const positions = rowIds
      .map((_, index) => index)
      .filter((index) => index > first && real(index) && index > separator && !special.has(rowIds[index]!));
    const { context } = pairs[row]!;
    const spans = tokenOffsets(
      context,
      positions.map((position) => model.tokenText(rowIds[position]!)),
      model.markers,
    );
    const topK = (call.parameters.top_k as number | undefined) ?? 1;
    const answers = bestAnswers({
      context,
      startLogits: startRows[row]!,
      endLogits: endRows[row]!,
      contextTokens: positions.map((position, index) => ({ position, span: spans[index]! })),
      noAnswerPosition: first,
      count: topK,
    });
    if (topK > 1) return answers;
    return answers[0] ?? { answer: "", score: 0, start: 0, end: 0 };
  });
}

/**
 * Zero-shot classification as transformers.js's pipeline scores it (the entailment logit of each
 * (text, "This example is {label}.") pair, softmaxed over the labels, or entailment against contradiction
 * per label with `multi_label`), but with every pair of every call in one model call instead of one call
 * per pair.
 */
export async function classifyZeroShot(
  model: TransformersModelParts,
  calls: readonly InferenceCall[],
): Promise<unknown[]> {
  const premises: string[] = [];
  const hypotheses: string[] = [];
  const requests = calls.map((call) => {
    const labels = call.parameters.candidate_labels as string[];
    const template = (call.parameters.hypothesis_template as string | undefined) ?? "This example is {}.";
    const start = premises.length;
    for (const label of labels) {
      premises.push(call.inputs as string);
      hypotheses.push(template.replace("{}", label));
    }
    const eachOnItsOwn = call.parameters.multi_label === true || labels.length === 1;
    return { labels, start, eachOnItsOwn };
  });
  const { logits } = await model.main.model(model.tokenize(premises, { text_pair: hypotheses }));
  const pairLogits = rows(logits!);
  return requests.map(({ labels, start, eachOnItsOwn }) => {
    const own = pairLogits.slice(start, start + labels.length);
    const scores = eachOnItsOwn
      ? own.map((row) => softmax([row[model.contradictionId]!, row[model.entailmentId]!])[1]!)
      : softmax(own.map((row) => row[model.entailmentId]!));
    return scores.map((score, index) => ({ label: labels[index]!, score })).sort((a, b) => b.score - a.score);
  });
}
