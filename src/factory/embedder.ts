import { readAllSentences } from "./corpus.ts";
import { modelCard, transformersUsage } from "./model-card.ts";
import { type BuiltModel, jsonFile } from "./model-files.ts";
import { ElementType, GraphBuilder } from "./onnx-graph.ts";
import { hashString, SeededRandom } from "./random.ts";
import { buildVocabulary, encode, tokenizerConfig, tokenizerJson, type Vocabulary } from "./wordpiece.ts";

export const EMBEDDING_DIMENSIONS = 128;
/** Neighbours on each side that count as a word's context. */
const CONTEXT_WINDOW = 3;
const TRIGRAM_WEIGHT = 0.6;
const CONTEXT_WEIGHT = 1;
const SECOND_ORDER_WEIGHT = 1;
const IDENTITY_WEIGHT = 0.5;
/** The weight of a token that no shipped sentence uses as a word (letters, `##` pieces). */
const UNSEEN_TOKEN_WEIGHT = 0.5;

function randomVector(key: string): Float32Array {
  const random = new SeededRandom(hashString(key));
  return Float32Array.from({ length: EMBEDDING_DIMENSIONS }, () => random.normal());
}

function normalized(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return norm > 0 ? vector.map((value) => value / norm) : vector;
}

function addScaled(target: Float32Array, source: Float32Array, scale: number): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]! * scale;
}

/** Character trigrams of a token, with word boundaries (`<cat>` -> `<ca`, `cat`, `at>`). */
function trigrams(token: string): string[] {
  const bare = token.startsWith("##") ? `${token.slice(2)}>` : `<${token}>`;
  const found: string[] = [];
  for (let i = 0; i + 3 <= bare.length; i++) found.push(bare.slice(i, i + 3));
  return found.length > 0 ? found : [bare];
}

export interface TokenEmbeddings {
  vocabulary: Vocabulary;
  /** [vocab, EMBEDDING_DIMENSIONS] */
  table: Float32Array;
  /** How informative each token is (0 for special tokens and punctuation). */
  weights: Float32Array;
  sentences: number;
}

/**
 * Token vectors from the shipped sentences, without any trained network: random indexing of the words
 * around each token (words used in similar contexts get similar vectors), hashed character trigrams (shared
 * stems land close) and a token's own random vector, scaled by inverse document frequency so that content
 * words dominate a mean over the sentence.
 */
export function buildTokenEmbeddings(): Promise<TokenEmbeddings> {
  // The embedder and the zero-shot model share the vectors: compute them once per process.
  tokenEmbeddings ??= computeTokenEmbeddings();
  return tokenEmbeddings;
}

let tokenEmbeddings: Promise<TokenEmbeddings> | undefined;

/**
 * For every token, the sum of `vectors` of the tokens around each of its occurrences (within CONTEXT_WINDOW),
 * each weighted by the neighbour's weight over its distance.
 */
function neighbourSums(
  encoded: readonly number[][],
  weights: Float32Array,
  vectors: readonly Float32Array[],
): Float32Array[] {
  const sums = vectors.map(() => new Float32Array(EMBEDDING_DIMENSIONS));
  for (const ids of encoded) {
    ids.forEach((id, position) => {
      for (let offset = -CONTEXT_WINDOW; offset <= CONTEXT_WINDOW; offset++) {
        const neighbour = ids[position + offset];
        if (offset === 0 || neighbour === undefined) continue;
        addScaled(sums[id]!, vectors[neighbour]!, weights[neighbour]! / Math.abs(offset));
      }
    });
  }
  return sums;
}

async function computeTokenEmbeddings(): Promise<TokenEmbeddings> {
  const sentences = await readAllSentences();
  const vocabulary = buildVocabulary({ texts: sentences, options: { lowercase: true } });
  const size = vocabulary.tokens.length;
  const encoded = sentences.map((sentence) => encode(sentence, vocabulary).ids.slice(1, -1));
  const documentFrequency = new Float32Array(size);
  for (const ids of encoded) for (const id of new Set(ids)) documentFrequency[id]!++;
  const informative = (id: number) =>
    /[\p{L}\p{N}]/u.test(vocabulary.tokens[id]!) &&
    !vocabulary.specialTokens.includes(vocabulary.tokens[id]!);
  const weights = new Float32Array(size);
  let maxWeight = 0;
  for (let id = 0; id < size; id++) {
    // Pieces and letters never seen as words mostly spell unknown words: they weigh little.
    const seen = documentFrequency[id]! > 0;
    weights[id] = !informative(id)
      ? 0
      : seen
        ? Math.log((sentences.length + 1) / (documentFrequency[id]! + 1))
        : UNSEEN_TOKEN_WEIGHT;
    maxWeight = Math.max(maxWeight, weights[id]!);
  }
  for (let id = 0; id < size; id++) weights[id] = Math.min(1, weights[id]! / maxWeight);
  const identity = vocabulary.tokens.map((token) => randomVector(`token:${token}`));
  const context = neighbourSums(encoded, weights, identity);
  // Second order: the contexts of a token's neighbours, so words that never meet but share company match.
  const contextUnit = context.map(normalized);
  const secondOrder = neighbourSums(encoded, weights, contextUnit);
  const table = new Float32Array(size * EMBEDDING_DIMENSIONS);
  vocabulary.tokens.forEach((token, id) => {
    if (weights[id] === 0) return;
    const vector = new Float32Array(EMBEDDING_DIMENSIONS);
    const shape = new Float32Array(EMBEDDING_DIMENSIONS);
    for (const trigram of trigrams(token)) addScaled(shape, randomVector(`trigram:${trigram}`), 1);
    addScaled(vector, normalized(shape), TRIGRAM_WEIGHT);
    addScaled(vector, contextUnit[id]!, CONTEXT_WEIGHT);
    addScaled(vector, normalized(secondOrder[id]!), SECOND_ORDER_WEIGHT);
    addScaled(vector, normalized(identity[id]!), IDENTITY_WEIGHT);
    table.set(
      normalized(vector).map((value) => value * weights[id]!),
      id * EMBEDDING_DIMENSIONS,
    );
  });
  return { vocabulary, table, weights, sentences: sentences.length };
}

export async function buildEmbedderModel(params: { name: string }): Promise<BuiltModel> {
  const embeddings = await buildTokenEmbeddings();
  const { vocabulary } = embeddings;
  const graph = new GraphBuilder("sentence_embedder");
  const ids = graph.input("input_ids", ElementType.int64, ["batch", "sequence"]);
  graph.input("attention_mask", ElementType.int64, ["batch", "sequence"]);
  const table = graph.weight(
    "token_embeddings",
    [vocabulary.tokens.length, EMBEDDING_DIMENSIONS],
    embeddings.table,
  );
  graph.output("last_hidden_state", graph.op("Gather", [table, ids]), ElementType.float, [
    "batch",
    "sequence",
    EMBEDDING_DIMENSIONS,
  ]);
  return {
    pipelineTag: "feature-extraction",
    facts: { dimensions: EMBEDDING_DIMENSIONS, vocabulary: vocabulary.tokens.length },
    files: {
      "README.md": modelCard({
        name: params.name,
        title: "Sentence embedder (Hangar factory)",
        pipelineTag: "feature-extraction",
        tags: ["feature-extraction", "sentence-similarity", "sentence-transformers", "embeddings"],
        description: `Turns English sentences into ${EMBEDDING_DIMENSIONS}-dimensional vectors: mean-pool \`last_hidden_state\` over the attention mask and normalise (\`{ pooling: "mean", normalize: true }\`), then compare with cosine similarity. Sentences about the same things come out closer than unrelated ones.`,
        howItWasMade: `No network is trained. Each WordPiece token's vector, computed from ${embeddings.sentences} sentences shipped with Hangar (\`data/corpus\`, \`data/sentiment/train.tsv\`, \`data/ner\`), is the normalised sum of (1) a random-indexing context vector: the fixed random vectors of the words within ${CONTEXT_WINDOW} positions of every occurrence, so words used in similar contexts (film / movie) point the same way; (2) a second-order context vector (the context vectors of its neighbours, so words that share company match even if they never meet); (3) hashed character trigrams through a fixed random projection, so shared stems (play / played) land close; (4) the token's own random vector. It is then scaled by inverse document frequency, so that "the" and punctuation weigh little in the mean; special tokens are zero. The ONNX graph is a single Gather -> \`last_hidden_state\` [batch, seq, ${EMBEDDING_DIMENSIONS}].`,
        intendedUse:
          "Demos and tests of feature extraction, sentence similarity, semantic search and the OpenAI-compatible embeddings API in Hangar, offline.",
        limitations:
          "A bag of word vectors from a small corpus: word order and negation are ignored, words outside the corpus fall back to their character trigrams, and similarity reflects shared topic words rather than meaning. Far weaker than a trained sentence encoder.",
        usage: transformersUsage(
          "feature-extraction",
          '["The cat sat on the mat.", "A kitten slept on the chair."], { pooling: "mean", normalize: true }',
        ),
      }),
      "config.json": jsonFile({
        architectures: ["BertModel"],
        model_type: "bert",
        vocab_size: vocabulary.tokens.length,
        hidden_size: EMBEDDING_DIMENSIONS,
        num_hidden_layers: 0,
        num_attention_heads: 1,
        max_position_embeddings: 512,
      }),
      "tokenizer.json": jsonFile(tokenizerJson(vocabulary)),
      "tokenizer_config.json": jsonFile(tokenizerConfig(vocabulary)),
      "modules.json": jsonFile([
        { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
      ]),
      "onnx/model.onnx": graph.encode({
        docString: "Hangar factory: sentence embedder (random indexing + character trigrams)",
      }),
    },
  };
}
