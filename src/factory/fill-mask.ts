import { generatorSentences, trainBigramModel } from "./generator.ts";
import { modelCard, transformersUsage } from "./model-card.ts";
import { type BuiltModel, jsonFile } from "./model-files.ts";
import { neighbourIds } from "./onnx-blocks.ts";
import { ElementType, GraphBuilder } from "./onnx-graph.ts";
import { buildVocabulary, CLS, MASK, PAD, SEP, tokenizerConfig, tokenizerJson, UNK } from "./wordpiece.ts";

/**
 * A masked-language model from bigram statistics on both sides: the score of word w at a position is
 * log P(w | previous token) + log P(w | next token), so `[MASK]` is filled with words that fit between
 * its neighbours.
 */
export async function buildFillMaskModel(params: { name: string }): Promise<BuiltModel> {
  const sentences = await generatorSentences();
  const vocabulary = buildVocabulary({ texts: sentences, options: { lowercase: true } });
  const forbidden = [PAD, UNK, MASK, CLS, SEP];
  const forward = trainBigramModel(sentences, vocabulary, { forbidden });
  const backward = trainBigramModel(sentences, vocabulary, { forbidden, reverse: true });
  const size = vocabulary.tokens.length;
  const padId = vocabulary.ids.get(PAD)!;
  const graph = new GraphBuilder("bigram_fill_mask");
  const ids = graph.input("input_ids", ElementType.int64, ["batch", "sequence"]);
  graph.input("attention_mask", ElementType.int64, ["batch", "sequence"]);
  const afterPrevious = graph.weight("next_given_previous", [size, size], forward.logProbabilities);
  const beforeNext = graph.weight("previous_given_next", [size, size], backward.logProbabilities);
  const left = graph.op("Gather", [afterPrevious, neighbourIds(graph, ids, "previous", padId)], {
    name: "left_scores",
  });
  const right = graph.op("Gather", [beforeNext, neighbourIds(graph, ids, "next", padId)], {
    name: "right_scores",
  });
  graph.output("logits", graph.op("Add", [left, right]), ElementType.float, ["batch", "sequence", size]);
  return {
    pipelineTag: "fill-mask",
    facts: { vocabulary: size, sentences: sentences.length },
    files: {
      "README.md": modelCard({
        name: params.name,
        title: "Bigram fill-mask model (Hangar factory)",
        pipelineTag: "fill-mask",
        tags: ["fill-mask", "bigram"],
        description:
          "Fills `[MASK]` in short English sentences with words that fit between the neighbouring words.",
        howItWasMade: `Word-bigram statistics of ${sentences.length} sentences shipped with Hangar (\`data/corpus/sentences.txt\`, \`data/sentiment/train.tsv\`), counted forwards and backwards with absolute discounting. The ONNX graph shifts \`input_ids\` both ways and adds Gather(log P(w | previous), previous id) + Gather(log P(w | next), next id) -> \`logits\` [batch, seq, vocab] (model_type bert, so transformers.js's fill-mask pipeline reads the scores at the mask).`,
        intendedUse: "Demos and tests of the fill-mask task in Hangar, offline.",
        limitations:
          "Only the two neighbouring words count: no wider context, no meaning. Words outside its small vocabulary are never proposed.",
        usage: transformersUsage("fill-mask", '"The weather will be [MASK] tomorrow."'),
      }),
      "config.json": jsonFile({
        architectures: ["BertForMaskedLM"],
        model_type: "bert",
        vocab_size: size,
        hidden_size: 8,
        num_hidden_layers: 0,
        num_attention_heads: 1,
        max_position_embeddings: 512,
      }),
      "tokenizer.json": jsonFile(tokenizerJson(vocabulary)),
      "tokenizer_config.json": jsonFile(tokenizerConfig(vocabulary)),
      "onnx/model.onnx": graph.encode({ docString: "Hangar factory: bigram fill-mask model" }),
    },
  };
}
