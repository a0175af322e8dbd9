import { readLines } from "./data-files.ts";
import { readNerCorpus } from "./ner.ts";
import { readSentimentSplit } from "./sentiment.ts";

/** Every training sentence the project ships (general corpus, sentiment training split, NER sentences). */
export async function readAllSentences(): Promise<string[]> {
  const general = await readLines("corpus/sentences.txt");
  const reviews = (await readSentimentSplit("train")).map((row) => row.text);
  const tagged = (await readNerCorpus()).map((sentence) => sentence.text);
  return [...general, ...reviews, ...tagged];
}

/** The general corpus only: well-formed sentences for the language models (generator, fill-mask). */
export async function readGeneralSentences(): Promise<string[]> {
  return readLines("corpus/sentences.txt");
}
