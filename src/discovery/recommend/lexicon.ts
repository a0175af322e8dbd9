/**
 * The words constraints are read with: languages, domains, purposes of classifiers, labels. Every entry is a
 * regular expression over the lower-cased text (word-bounded), so what triggered a constraint can be quoted
 * back to the user. Which task a description asks for is learned, not listed here (task-model.ts).
 */

/** What a description's input is, read from the task it asks for (see recognise-tasks.ts). */
export type Modality = "text" | "image" | "audio" | "video" | "tabular" | "multimodal" | "other";

/**
 * Tasks that usually come with another: semantic search wants an embedding model, which the Hub files under
 * either task; classifying into labels of one's own is also what zero-shot classifiers do.
 */
export const COMPANION_TASKS: Record<string, string> = {
  "sentence-similarity": "feature-extraction",
  "feature-extraction": "sentence-similarity",
  // Labels nobody trained a model for (urgency, a team's own categories) are the zero-shot case.
  "text-classification": "zero-shot-classification",
};

export const LANGUAGES: Record<string, string> = {
  english: "en",
  german: "de",
  french: "fr",
  spanish: "es",
  italian: "it",
  portuguese: "pt",
  dutch: "nl",
  russian: "ru",
  chinese: "zh",
  mandarin: "zh",
  japanese: "ja",
  korean: "ko",
  arabic: "ar",
  hindi: "hi",
  turkish: "tr",
  swedish: "sv",
  danish: "da",
  finnish: "fi",
  norwegian: "no",
  czech: "cs",
  greek: "el",
  hebrew: "he",
  thai: "th",
  vietnamese: "vi",
  indonesian: "id",
  ukrainian: "uk",
  romanian: "ro",
  hungarian: "hu",
  persian: "fa",
  farsi: "fa",
  bengali: "bn",
  urdu: "ur",
  tamil: "ta",
  catalan: "ca",
  malay: "ms",
  swahili: "sw",
  bulgarian: "bg",
  croatian: "hr",
  serbian: "sr",
  slovak: "sk",
  slovenian: "sl",
  lithuanian: "lt",
  latvian: "lv",
  estonian: "et",
  // "polish" is also a verb: it counts only capitalised (see parse-description.ts).
};

export const MULTILINGUAL =
  /\b(multilingual|multi-lingual|many languages|any language|all languages|100\+ languages)\b/;

/** Domains a specialised fine-tune can serve, and the words that find such a model by id or description. */
export const DOMAINS: Array<{ domain: string; pattern: RegExp; modelWords: RegExp }> = [
  {
    domain: "medical",
    pattern:
      /\b(medical|clinical|biomedical|health ?care|hospitals?|patients?|doctors?|radiology|x-rays?|pharma\w*)\b/,
    modelWords: /\b(med\w*|bio\w*|clinical\w*|pubmed\w*|radiology|health\w*)\b/i,
  },
  {
    domain: "legal",
    pattern: /\b(legal|law|contracts?|court|lawyers?)\b/,
    modelWords: /\b(legal\w*|law|contracts?)\b/i,
  },
  {
    domain: "finance",
    pattern: /\b(financ(e|ial)|banks?|banking|stocks?|earnings|invoices?|receipts?|fintech)\b/,
    modelWords: /\b(fin|finance|financial|finbert\w*|bank\w*|stocks?)\b/i,
  },
  {
    domain: "code",
    pattern: /\b(code|coding|programming|source files?|developers?|sql)\b/,
    modelWords: /\b(code\w*|coder|starcoder\w*|program\w*)\b/i,
  },
  {
    domain: "social-media",
    pattern: /\b(tweets?|twitter|social media|reddit|posts)\b/,
    modelWords: /\b(twitter\w*|tweets?|social)\b/i,
  },
  {
    domain: "science",
    pattern: /\b(scientific|research papers?|papers|arxiv|academic)\b/,
    modelWords: /\b(sci\w*|papers?|arxiv|specter\w*)\b/i,
  },
  {
    domain: "customer-support",
    pattern:
      /\b(support tickets?|customer (support|service|questions|queries|requests|emails)|help ?desk|tickets?)\b/,
    modelWords: /\b(support|tickets?|customer\w*)\b/i,
  },
];

/** Asking for a chat or an assistant means an instruction-tuned model, as the Hub's ids say. */
export const INSTRUCTION_WORDS =
  /\b(chat(bot)?s?(?! (logs?|messages?|history|transcripts?))|assistant|conversational|dialog(ue)?|instruction[- ]following|follow instructions)\b/;
export const INSTRUCTION_TUNED_ID = /(instruct|chat|-it\b|-it-|zephyr|hermes|openchat|vicuna)/i;

/**
 * Fixed purposes a text classifier can be trained for. A model whose id, card description or tags match
 * `modelWords` only ever answers with `labelsAre`; it fits a description only when that asks for the same
 * purpose (`askWords`). Anything else a user classifies by (urgency, their own topics) needs a general model.
 */
export interface Purpose {
  purpose: string;
  /** What the model's labels are, as a user would say it. */
  labelsAre: string;
  modelWords: RegExp;
  askWords: RegExp;
}

export const PURPOSES: Purpose[] = [
  {
    purpose: "language identification",
    labelsAre: "languages",
    modelWords:
      /\b(language[- ]detection|language identification|lang[- ]?id|classify languages|detects? (the )?languages?)\b/i,
    askWords:
      /\b(language detection|language identification|detect(ing)? (the )?languages?|identify(ing)? (the )?languages?|which language|(the |its |their )language of|by language)\b/,
  },
  {
    purpose: "emotion",
    labelsAre: "emotions",
    modelWords: /\b(emotions?|go_emotions)\b/i,
    askWords: /\b(emotions?|feelings?|moods?)\b/,
  },
  {
    purpose: "sentiment",
    labelsAre: "sentiment (positive or negative)",
    modelWords: /\b(sentiment|sst-?2|review stars|1-5 stars)\b/i,
    askWords: /\b(sentiment|positive|negative|polarity|opinions?|tone)\b/,
  },
  {
    purpose: "toxicity",
    labelsAre: "toxicity classes",
    modelWords: /\b(toxic\w*|hate speech|offensive|jigsaw)\b/i,
    askWords: /\b(toxic(ity)?|hate speech|offensive|abusive|moderat(e|ion))\b/,
  },
  {
    purpose: "spam",
    labelsAre: "spam or not",
    modelWords: /\bspam\b/i,
    askWords: /\bspam\b/,
  },
  {
    purpose: "machine-text detection",
    labelsAre: "human- or machine-written",
    modelWords: /\b(openai[- ]detector|gpt-?2 generated|ai[- ]generated|machine[- ]generated)\b/i,
    askWords: /\b(ai[- ]generated|machine[- ]generated|written by (an )?ai|generated by (an )?ai)\b/,
  },
  {
    purpose: "prompt-attack detection",
    labelsAre: "prompt attacks",
    modelWords: /\b(prompt[- ]guard|jailbreaks?|prompt injections?|generation attacks)\b/i,
    askWords: /\b(jailbreaks?|prompt injections?|prompt attacks?)\b/,
  },
  {
    purpose: "sentence-pair scoring",
    labelsAre: "similarity scores for pairs of sentences",
    modelWords: /\b(stsb|quora|scoring sentence pairs)\b/i,
    askWords: /\b(similar(ity)?|duplicates?|paraphrases?)\b/,
  },
];

/**
 * Models that take the labels at run time: NLI models used for zero-shot classification. They fit any
 * criterion, and are checked before PURPOSES (an NLI cross-encoder also "scores sentence pairs").
 */
export const GENERAL_CLASSIFIER_WORDS = /\b(zero[- ]?shot|nli|mnli|xnli|entailment)\b/i;

/** The purpose a text names, by the first purpose (in PURPOSES order) whose ask words it contains. */
export function askedPurpose(text: string): Purpose | null {
  return PURPOSES.find(({ askWords }) => askWords.test(text)) ?? null;
}

/**
 * "classify tickets by urgency", "sort emails into billing/technical/other", "label reviews as spam or not",
 * "categorise articles into our own topics": the verb, then the criterion or the labels within the clause.
 */
export const CLASSIFY_VERB =
  "(?:classif(?:y|ies|ying)|categori[sz](?:e|es|ing)|sort(?:s|ing)?|group(?:s|ing)?|label(?:s|l?ing)?|tag(?:s|ging)?|triage(?:s)?|rout(?:e|es|ing)|flag(?:s|ging)?|prioriti[sz](?:e|es|ing)|split(?:s|ting)?)";
/** Words after "by" that are a means, not a criterion ("by hand", "by using"). */
export const NOT_A_CRITERION = new Set([
  "hand",
  "using",
  "a",
  "an",
  "means",
  "default",
  "tomorrow",
  "itself",
  "themselves",
]);
