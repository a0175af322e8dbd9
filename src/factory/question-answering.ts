import { modelCard, transformersUsage } from "./model-card.ts";
import { type BuiltModel, jsonFile } from "./model-files.ts";
import { NER_LABELS, trainNer } from "./ner.ts";
import { nerLogits } from "./ner-model.ts";
import { sliceSequence } from "./onnx-blocks.ts";
import { ElementType, GraphBuilder } from "./onnx-graph.ts";
import { tokenizerConfig, tokenizerJson, type Vocabulary } from "./wordpiece.ts";

/** What a question asks for, in the order of the graph's category axis. */
const CATEGORIES = ["person", "place", "organisation", "time"] as const;
const QUESTION_WORDS: Record<string, (typeof CATEGORIES)[number]> = {
  who: "person",
  whom: "person",
  whose: "person",
  where: "place",
  city: "place",
  country: "place",
  company: "organisation",
  organisation: "organisation",
  organization: "organisation",
  firm: "organisation",
  club: "organisation",
  when: "time",
  year: "time",
  month: "time",
  day: "time",
};
const TIME_WORDS = new Set(
  "january february march april may june july august september october november december monday tuesday wednesday thursday friday saturday sunday spring summer autumn winter yesterday today tomorrow".split(
    " ",
  ),
);
/** Words that say nothing about where the answer is. */
const STOP_WORDS = new Set(
  "a an the of in on at to for from by with and or is are was were be been do does did what which who whom whose where when why how this that it its his her their there".split(
    " ",
  ),
);
/** Window (tokens each side) in which a question word found in the context draws the answer closer. */
const NEAR = 4;

function vocabularyTable(
  vocabulary: Vocabulary,
  columns: number,
  rowOf: (token: string) => number[] | undefined,
): Float32Array {
  const table = new Float32Array(vocabulary.tokens.length * columns);
  vocabulary.tokens.forEach((token, id) => {
    const values = rowOf(token);
    if (values) table.set(values, id * columns);
  });
  return table;
}

/**
 * A constructed (not trained end to end) extractive QA model. The graph runs the factory's NER tagger over
 * `[CLS] question [SEP] context [SEP]`, reads from the question what it asks for (who -> person, where ->
 * place, when -> time, company -> organisation, anything else -> any entity), and scores each context token
 * by how well its entity type fits, how close it is to context words that also occur in the question, and
 * whether it begins (start) or ends (end) an entity. Words of the question itself are not answers.
 */
export async function buildQuestionAnsweringModel(params: { name: string }): Promise<BuiltModel> {
  const training = await trainNer();
  const { vocabulary } = training;
  const size = vocabulary.tokens.length;
  const labels = NER_LABELS.length;
  const graph = new GraphBuilder("entity_question_answering");
  const ids = graph.input("input_ids", ElementType.int64, ["batch", "sequence"]);
  const attentionMask = graph.input("attention_mask", ElementType.int64, ["batch", "sequence"]);
  const tokenTypes = graph.input("token_type_ids", ElementType.int64, ["batch", "sequence"]);
  const toFloat = (x: string) => graph.op("Cast", [x], { attributes: { to: ElementType.float } });
  const mask = toFloat(attentionMask);
  const contextMask = graph.op("Mul", [toFloat(tokenTypes), mask], { name: "context_mask" });
  const questionMask = graph.op("Sub", [mask, contextMask], { name: "question_mask" });

  // Entity probabilities per token: [batch, seq, 4] = person, place, organisation, time.
  const probabilities = graph.op("Softmax", [nerLogits(graph, training, ids)], { attributes: { axis: -1 } });
  const typeMatrix = new Float32Array(labels * 3);
  NER_LABELS.forEach((label, row) => {
    const column = { PER: 0, LOC: 1, ORG: 2 }[label.slice(2)];
    if (column !== undefined) typeMatrix[row * 3 + column] = 1;
  });
  const entityTypes = graph.op("MatMul", [probabilities, graph.floats(Array.from(typeMatrix), [labels, 3])], {
    name: "entity_types",
  });
  const timeTable = graph.weight(
    "is_time",
    [size, 1],
    vocabularyTable(vocabulary, 1, (token) =>
      /\d/.test(token) || TIME_WORDS.has(token.toLowerCase()) ? [1] : undefined,
    ),
  );
  const isTime = graph.op("Gather", [timeTable, ids], { name: "is_time" });
  const categories = graph.op("Concat", [entityTypes, isTime], {
    attributes: { axis: -1 },
    name: "categories",
  });
  const isEntity = graph.op("ReduceSum", [categories, graph.ints([-1])], {
    attributes: { keepdims: 0 },
    name: "is_entity",
  });

  // What the question asks for: [batch, 4], plus "anything" when no question word says.
  const askTable = graph.weight(
    "asks_for",
    [size, CATEGORIES.length],
    vocabularyTable(vocabulary, CATEGORIES.length, (token) => {
      const category = QUESTION_WORDS[token.toLowerCase()];
      return category ? CATEGORIES.map((name) => (name === category ? 1 : 0)) : undefined;
    }),
  );
  const asked = graph.op("Mul", [
    graph.op("Gather", [askTable, ids]),
    graph.op("Unsqueeze", [questionMask, graph.ints([-1])]),
  ]);
  const asksFor = graph.op("ReduceMax", [asked], {
    attributes: { axes: [1], keepdims: 0 },
    name: "asks_for",
  });
  const asksSomething = graph.op("ReduceMax", [asksFor], { attributes: { axes: [1], keepdims: 1 } });
  const anything = graph.op("Sub", [graph.scalar(1), asksSomething], { name: "asks_anything" });
  const fits = graph.op("Squeeze", [
    graph.op("MatMul", [categories, graph.op("Unsqueeze", [asksFor, graph.ints([-1])])]),
    graph.ints([-1]),
  ]);
  const fitness = graph.op("Add", [fits, graph.op("Mul", [anything, isEntity])], { name: "fitness" });

  // Context tokens equal to a content word of the question, and how near each token is to one.
  const contentTable = graph.weight(
    "is_content",
    [size, 1],
    vocabularyTable(vocabulary, 1, (token) =>
      /^\p{L}{2,}$|^\d+$/u.test(token) && !STOP_WORDS.has(token.toLowerCase()) ? [1] : undefined,
    ),
  );
  const questionContent = graph.op("Mul", [
    graph.op("Squeeze", [graph.op("Gather", [contentTable, ids]), graph.ints([-1])]),
    questionMask,
  ]);
  const same = toFloat(
    graph.op("Equal", [
      graph.op("Unsqueeze", [ids, graph.ints([2])]),
      graph.op("Unsqueeze", [ids, graph.ints([1])]),
    ]),
  );
  const matches = graph.op("Mul", [same, graph.op("Unsqueeze", [questionContent, graph.ints([1])])]);
  const matched = graph.op(
    "Mul",
    [graph.op("ReduceMax", [matches], { attributes: { axes: [2], keepdims: 0 } }), contextMask],
    { name: "matched" },
  );
  const kernel = Array.from({ length: 2 * NEAR + 1 }, (_, i) =>
    i === NEAR ? 0 : 1 - Math.abs(i - NEAR) / (NEAR + 1),
  );
  const nearness = graph.op(
    "Squeeze",
    [
      graph.op(
        "Conv",
        [graph.op("Unsqueeze", [matched, graph.ints([1])]), graph.floats(kernel, [1, 1, kernel.length])],
        {
          attributes: { pads: [NEAR, NEAR] },
        },
      ),
      graph.ints([1]),
    ],
    { name: "nearness" },
  );

  const beginMatrix = NER_LABELS.map((label) => (label.startsWith("B-") ? 1 : 0));
  const begins = graph.op("Squeeze", [
    graph.op("MatMul", [probabilities, graph.floats(beginMatrix, [labels, 1])]),
    graph.ints([-1]),
  ]);
  const nextFitness = sliceSequence(
    graph,
    graph.op("Pad", [fitness, graph.ints([0, 0, 0, 1]), graph.scalar(0)]),
    1,
  );
  const base = graph.op(
    "Sub",
    [
      graph.op("Add", [
        graph.op("Mul", [fitness, graph.scalar(6)]),
        graph.op("Mul", [nearness, graph.scalar(1.5)]),
      ]),
      graph.op("Mul", [matched, graph.scalar(8)]),
    ],
    { name: "answer_score" },
  );
  const start = graph.op("Add", [base, graph.op("Mul", [begins, graph.scalar(4)])]);
  const end = graph.op("Add", [
    base,
    graph.op("Mul", [graph.op("Sub", [graph.scalar(1), nextFitness]), graph.scalar(3)]),
  ]);
  graph.output("start_logits", start, ElementType.float, ["batch", "sequence"]);
  graph.output("end_logits", end, ElementType.float, ["batch", "sequence"]);

  return {
    pipelineTag: "question-answering",
    facts: { vocabulary: size },
    files: {
      "README.md": modelCard({
        name: params.name,
        title: "Entity-based question answering (Hangar factory)",
        pipelineTag: "question-answering",
        tags: ["question-answering", "extractive-qa"],
        datasets: ["hangar/ner-sentences"],
        description:
          "Answers simple who / where / when / which-company questions by picking a span of the context: a person for who, a place for where, a date or number for when, an organisation for company questions, near the context words that also appear in the question.",
        howItWasMade:
          "Constructed, not trained end to end. The graph embeds Hangar's factory NER tagger (trained on `data/ner/train.tsv`) and runs it over `[CLS] question [SEP] context [SEP]`. Question tokens (token_type_ids 0) that are question words select what kind of entity is wanted (no question word: any entity). Each context token scores 6 x (probability it is that kind of entity) + 1.5 x (nearness to a context word equal to a content word of the question, a triangular window of 4 tokens) - 8 x (it is itself a question word); start logits add 4 x P(B- label), end logits add 3 x (next token is not a fitting entity). transformers.js's pipeline then picks the best start <= end span.",
        intendedUse:
          "Demos and tests of the question-answering task in Hangar, offline, on short factual sentences.",
        limitations:
          "It does not read: it finds the entity of the right type nearest the question's words. Why / how questions, answers that are not names, places, organisations or dates, and long contexts with several candidates often get wrong answers.",
        usage: transformersUsage(
          "question-answering",
          '"Where does Maria Lopez live?", "Maria Lopez lives in Madrid and works for Telefonica."',
        ),
      }),
      "config.json": jsonFile({
        architectures: ["BertForQuestionAnswering"],
        model_type: "bert",
        vocab_size: size,
        hidden_size: labels,
        num_hidden_layers: 0,
        num_attention_heads: 1,
        max_position_embeddings: 512,
      }),
      "tokenizer.json": jsonFile(tokenizerJson(vocabulary)),
      "tokenizer_config.json": jsonFile(tokenizerConfig(vocabulary)),
      "onnx/model.onnx": graph.encode({
        docString: "Hangar factory: entity-based extractive question answering",
      }),
    },
  };
}
