// The NER tagger as a model repo: its ONNX graph (the trained tables, and entities carried along a word's
// pieces) and the files transformers.js loads. Training and tagging are in ner.ts.
import { modelCard, transformersUsage } from "./model-card.ts";
import { type BuiltModel, jsonFile } from "./model-files.ts";
import { CARRIED_PIECES, evaluateNer, NER_LABELS, type NerTraining, trainNer } from "./ner.ts";
import { neighbourIds } from "./onnx-blocks.ts";
import { ElementType, GraphBuilder } from "./onnx-graph.ts";
import { PAD, tokenizerConfig, tokenizerJson, type Vocabulary } from "./wordpiece.ts";

/**
 * A word's later pieces (`##...`) take the entity of the piece before them: their label distribution
 * becomes the previous position's with B-X turned into I-X, repeated so it runs along the word. Without
 * this, an unseen name split into pieces gets one label per piece.
 */
function carryIntoWordPieces(
  graph: GraphBuilder,
  vocabulary: Vocabulary,
  ids: string,
  logits: string,
): string {
  const labels = NER_LABELS.length;
  const continuation = graph.weight(
    "is_continuation",
    [vocabulary.tokens.length, 1],
    vocabulary.tokens.map((token) => (token.startsWith("##") ? 1 : 0)),
  );
  const isContinuation = graph.op("Gather", [continuation, ids], { name: "is_continuation" });
  const transition = new Float32Array(labels * labels);
  NER_LABELS.forEach((from, row) => {
    const to = from === "O" ? "O" : `I-${from.slice(2)}`;
    transition[row * labels + NER_LABELS.indexOf(to as (typeof NER_LABELS)[number])] = 1;
  });
  const transitionMatrix = graph.floats(Array.from(transition), [labels, labels]);
  let current = logits;
  for (let step = 0; step < CARRIED_PIECES; step++) {
    const padded = graph.op("Pad", [current, graph.ints([0, 1, 0, 0, 0, 0]), graph.scalar(0)], {
      name: "carry_pad",
    });
    const previous = graph.op("Slice", [padded, graph.ints([0]), graph.ints([-1]), graph.ints([1])], {
      name: "carry_previous",
    });
    const probabilities = graph.op("Softmax", [previous], { attributes: { axis: -1 } });
    const carried = graph.op("Log", [
      graph.op("Add", [graph.op("MatMul", [probabilities, transitionMatrix]), graph.scalar(1e-6)]),
    ]);
    const change = graph.op("Mul", [isContinuation, graph.op("Sub", [carried, logits])]);
    current = graph.op("Add", [logits, change], { name: "carried_logits" });
  }
  return current;
}

/**
 * The tagger's scores inside a graph: Gather(current, ids) + Gather(previous, ids shifted right) +
 * Gather(next, ids shifted left), then carried along word pieces -> [batch, seq, labels].
 */
export function nerLogits(graph: GraphBuilder, training: NerTraining, ids: string): string {
  const size = training.vocabulary.tokens.length;
  const labels = NER_LABELS.length;
  const padId = training.vocabulary.ids.get(PAD)!;
  const scores = (["current", "previous", "next"] as const).map((role) => {
    const table = graph.weight(`${role}_token_table`, [size, labels], training.tables[role]);
    const roleIds = role === "current" ? ids : neighbourIds(graph, ids, role, padId);
    return graph.op("Gather", [table, roleIds], { name: `${role}_scores` });
  });
  const tokenLogits = graph.op("Add", [graph.op("Add", [scores[0]!, scores[1]!]), scores[2]!]);
  return carryIntoWordPieces(graph, training.vocabulary, ids, tokenLogits);
}

function buildGraph(training: NerTraining): Uint8Array {
  const graph = new GraphBuilder("ner_tagger");
  const ids = graph.input("input_ids", ElementType.int64, ["batch", "sequence"]);
  graph.output("logits", nerLogits(graph, training, ids), ElementType.float, [
    "batch",
    "sequence",
    NER_LABELS.length,
  ]);
  return graph.encode({ docString: "Hangar factory: named-entity tagger trained on data/ner/train.tsv" });
}

export async function buildNerModel(params: { name: string }): Promise<BuiltModel> {
  const training = await trainNer();
  const heldOut = await evaluateNer(training);
  const f1 = Math.round(heldOut.f1 * 1000) / 1000;
  const { vocabulary } = training;
  return {
    pipelineTag: "token-classification",
    facts: {
      heldOutF1: heldOut.f1,
      trainTokenAccuracy: training.trainTokenAccuracy,
      vocabulary: vocabulary.tokens.length,
    },
    files: {
      "README.md": modelCard({
        name: params.name,
        title: "Named-entity tagger (Hangar factory)",
        pipelineTag: "token-classification",
        tags: ["ner", "token-classification"],
        datasets: ["hangar/ner-sentences"],
        modelIndex: {
          taskType: "token-classification",
          taskName: "Named-entity recognition",
          datasetName: "Hangar NER sentences (held-out)",
          datasetType: "hangar/ner-sentences",
          split: "test",
          metricType: "f1",
          metricName: "Held-out entity F1",
          value: f1,
        },
        description: `Tags people (PER), places (LOC) and organisations (ORG) in short English sentences, with BIO labels per WordPiece token. Use \`aggregation_strategy: "simple"\` to get whole entities. Entity-level F1 (exact type and span) on ${heldOut.sentences} held-out sentences, most with names it never saw (\`data/ner/test.tsv\`): **${(f1 * 100).toFixed(1)} %** (precision ${(heldOut.precision * 100).toFixed(1)} %, recall ${(heldOut.recall * 100).toFixed(1)} %).`,
        howItWasMade: `Trained when the repo was made, in plain TypeScript, on ${training.sentences} tagged sentences written for Hangar (\`data/ner/train.tsv\`). A linear tagger (multinomial logistic regression, fixed seed) over each token's identity and word shape (capitalised, all caps, digits, punctuation, word piece...) and those of its previous and next token. The cased WordPiece vocabulary keeps capitalisation. Training folds these features into three [vocab, ${NER_LABELS.length}] tables, and the ONNX graph adds Gather(table, token) for the token and its shifted neighbours -> \`logits\` [batch, seq, labels]. Token accuracy on its training data: ${(training.trainTokenAccuracy * 100).toFixed(1)} %.`,
        intendedUse:
          "Demos and tests of token classification in Hangar: finding names, places and companies in simple sentences offline.",
        limitations:
          "Trained on a small corpus of simple sentences. It leans on capitalisation and nearby words (in, at, from, works for), so it misses lower-case entities, confuses entity types on unusual names, and splits long unseen names into pieces that may get different labels. The held-out sentences are as simple as the training ones, so expect less on real text.",
        usage: transformersUsage(
          "token-classification",
          '"Maria Lopez moved to Berlin to work for Siemens."',
        ),
      }),
      "config.json": jsonFile({
        architectures: ["BertForTokenClassification"],
        model_type: "bert",
        vocab_size: vocabulary.tokens.length,
        hidden_size: NER_LABELS.length,
        num_hidden_layers: 0,
        num_attention_heads: 1,
        max_position_embeddings: 512,
        id2label: Object.fromEntries(NER_LABELS.map((label, id) => [String(id), label])),
        label2id: Object.fromEntries(NER_LABELS.map((label, id) => [label, id])),
      }),
      "tokenizer.json": jsonFile(tokenizerJson(vocabulary)),
      "tokenizer_config.json": jsonFile(tokenizerConfig(vocabulary)),
      "onnx/model.onnx": buildGraph(training),
    },
  };
}
