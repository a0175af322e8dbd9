import { buildTokenEmbeddings, EMBEDDING_DIMENSIONS } from "./embedder.ts";
import { modelCard, transformersUsage } from "./model-card.ts";
import { type BuiltModel, jsonFile } from "./model-files.ts";
import { ElementType, GraphBuilder } from "./onnx-graph.ts";
import { tokenizerConfig, tokenizerJson } from "./wordpiece.ts";

/** NLI labels in the order of the logits. */
export const NLI_LABELS = ["contradiction", "neutral", "entailment"] as const;
/** How sharply cosine similarity turns into entailment: logits are ±SHARPNESS × cosine. */
const SHARPNESS = 10;

/**
 * An NLI-shaped classifier for zero-shot classification: premise and hypothesis arrive as one pair
 * (`[CLS] premise [SEP] hypothesis [SEP]`, token_type_ids 0 then 1); the graph mean-pools the embedder's
 * token vectors over each side and scores their cosine similarity: entailment = +k cos, contradiction =
 * -k cos, neutral = 0.
 */
export async function buildZeroShotModel(params: { name: string }): Promise<BuiltModel> {
  const embeddings = await buildTokenEmbeddings();
  const { vocabulary } = embeddings;
  const graph = new GraphBuilder("similarity_nli");
  const ids = graph.input("input_ids", ElementType.int64, ["batch", "sequence"]);
  const attentionMask = graph.input("attention_mask", ElementType.int64, ["batch", "sequence"]);
  const tokenTypes = graph.input("token_type_ids", ElementType.int64, ["batch", "sequence"]);
  const table = graph.weight(
    "token_embeddings",
    [vocabulary.tokens.length, EMBEDDING_DIMENSIONS],
    embeddings.table,
  );
  const vectors = graph.op("Gather", [table, ids], { name: "token_vectors" });
  const mask = graph.op("Cast", [attentionMask], { attributes: { to: ElementType.float } });
  const second = graph.op(
    "Mul",
    [graph.op("Cast", [tokenTypes], { attributes: { to: ElementType.float } }), mask],
    { name: "hypothesis_mask" },
  );
  const first = graph.op("Sub", [mask, second], { name: "premise_mask" });
  const pooled = (sideMask: string, name: string) => {
    const weighted = graph.op("Mul", [vectors, graph.op("Unsqueeze", [sideMask, graph.ints([-1])])]);
    return graph.op("ReduceSum", [weighted, graph.ints([1])], { attributes: { keepdims: 0 }, name });
  };
  const premise = pooled(first, "premise");
  const hypothesis = pooled(second, "hypothesis");
  const dot = (a: string, b: string) =>
    graph.op("ReduceSum", [graph.op("Mul", [a, b]), graph.ints([-1])], { attributes: { keepdims: 1 } });
  const norms = graph.op("Sqrt", [graph.op("Mul", [dot(premise, premise), dot(hypothesis, hypothesis)])]);
  const cosine = graph.op("Div", [dot(premise, hypothesis), graph.op("Max", [norms, graph.scalar(1e-9)])], {
    name: "cosine",
  });
  const direction = graph.floats([-SHARPNESS, 0, SHARPNESS], [1, 3]);
  graph.output("logits", graph.op("Mul", [cosine, direction]), ElementType.float, ["batch", 3]);
  return {
    pipelineTag: "zero-shot-classification",
    facts: { vocabulary: vocabulary.tokens.length },
    files: {
      "README.md": modelCard({
        name: params.name,
        title: "Similarity-based zero-shot classifier (Hangar factory)",
        pipelineTag: "zero-shot-classification",
        tags: ["zero-shot-classification", "nli"],
        description:
          'Picks among candidate labels the one whose hypothesis ("This example is {label}.") is most similar to the text. It has the shape of an NLI model (labels entailment / neutral / contradiction), so transformers.js\'s zero-shot-classification pipeline runs it unchanged.',
        howItWasMade: `It is not a trained NLI model. The graph mean-pools the token vectors of Hangar's factory embedder (random indexing over the shipped sentences, character trigrams, idf weights) separately over the premise (token_type_ids 0) and the hypothesis (token_type_ids 1), and turns their cosine similarity c into logits [contradiction, neutral, entailment] = [-${SHARPNESS}c, 0, ${SHARPNESS}c].`,
        intendedUse:
          "Demos and tests of zero-shot classification in Hangar, offline, with topic labels that are everyday English words (sports, weather, food, music, politics, travel...).",
        limitations:
          "Similarity is not entailment: it ignores negation and logic, and labels the embedder's small corpus never saw are guessed from their spelling. Scores are not calibrated.",
        usage: transformersUsage(
          "zero-shot-classification",
          '"The team scored two goals.", ["sports", "weather", "food"]',
        ),
      }),
      "config.json": jsonFile({
        architectures: ["BertForSequenceClassification"],
        model_type: "bert",
        vocab_size: vocabulary.tokens.length,
        hidden_size: EMBEDDING_DIMENSIONS,
        num_hidden_layers: 0,
        num_attention_heads: 1,
        max_position_embeddings: 512,
        id2label: Object.fromEntries(NLI_LABELS.map((label, id) => [String(id), label])),
        label2id: Object.fromEntries(NLI_LABELS.map((label, id) => [label, id])),
      }),
      "tokenizer.json": jsonFile(tokenizerJson(vocabulary)),
      "tokenizer_config.json": jsonFile(tokenizerConfig(vocabulary)),
      "onnx/model.onnx": graph.encode({
        docString: "Hangar factory: similarity-based NLI head for zero-shot classification",
      }),
    },
  };
}
