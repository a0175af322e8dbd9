/**
 * The words a description is read with. Every entry is a regular expression over the lower-cased text
 * (word-bounded), so what triggered a task or constraint can be quoted back to the user.
 */

export type Modality = "text" | "image" | "audio" | "video" | "tabular";

/** Words that say what the input is; they pick the task a generic verb ("classify") means. */
export const MODALITY_WORDS: Array<[Modality, RegExp]> = [
  [
    "image",
    /\b(images?|photos?|photographs?|pictures?|pics|screenshots?|scans?|scanned|x-rays?|camera|jpe?g|png)\b/,
  ],
  [
    "audio",
    /\b(audio|speech|spoken|sounds?|recordings?|voices?|podcasts?|phone calls?|calls|mp3|wav|music clips?)\b/,
  ],
  ["video", /\b(videos?|clips|footage|movies)\b/],
  ["tabular", /\b(tabular|spreadsheets?|csv|rows and columns)\b/],
];

export interface TaskRule {
  pattern: RegExp;
  /** A task id, or one per modality for generic verbs. */
  task: string | Partial<Record<Modality, string>>;
  /** Longer, more specific phrases weigh more than single generic words. */
  weight: number;
}

export const TASK_RULES: TaskRule[] = [
  // Text understanding.
  {
    pattern:
      /\b(classif(y|ies|ying|ication)|categori[sz](e|es|ing|ation)|label(l?ing)?|sort (them |it )?into)\b/,
    task: {
      text: "text-classification",
      image: "image-classification",
      audio: "audio-classification",
      video: "video-classification",
      tabular: "tabular-classification",
    },
    weight: 2,
  },
  {
    pattern:
      /\b(sentiment|spam|toxic(ity)?|hate speech|intents?|urgency|topics?|emotions?|moderat(e|ion)|fake reviews?|language detection|detect (the )?languages?|identify (the )?languages?)\b/,
    task: "text-classification",
    weight: 3,
  },
  {
    pattern:
      /\b(zero[- ]shot|without (any )?training data|arbitrary labels|labels? (chosen|given) at run ?time)\b/,
    task: { text: "zero-shot-classification", image: "zero-shot-image-classification" },
    // Saying "without training data" outweighs any number of classification words.
    weight: 6,
  },
  {
    pattern:
      /\b(named entit(y|ies)|ner|extract (\w+ ){0,2}(names|entities|people|persons|organi[sz]ations|locations|places|dates|addresses|skills)|entit(y|ies)|pii|personal data|parts?[- ]of[- ]speech|pos tagging|tag (each )?(word|token)s?)\b/,
    task: "token-classification",
    weight: 4,
  },
  {
    pattern:
      /\b(question answering|answer (user |customer )?questions (about|from|on|using) (a |the |our )?(\w+ )?(text|passages?|documents?|articles?|context|manuals?|wiki\w*|paragraphs?)|extractive (qa|answers?)|find(ing)? (the )?answers? in)\b/,
    task: "question-answering",
    weight: 4,
  },
  {
    pattern:
      /\b(answer(ing)? questions about (the |an |our )?(images?|photos?|pictures?)|visual question answering|vqa)\b/,
    task: "visual-question-answering",
    weight: 5,
  },
  {
    pattern:
      /\b(questions? about (scanned |the |our )?(invoices?|receipts?|forms?|pdfs?|scanned documents?)|document question answering|docvqa)\b/,
    task: "document-question-answering",
    weight: 5,
  },
  {
    pattern: /\b(questions? about (a |the |our )?tables?|table question answering)\b/,
    task: "table-question-answering",
    weight: 5,
  },
  {
    pattern: /\b(summari[sz](e|es|ing|ation|er)|summary|summaries|tl;?dr|condense|digest of)\b/,
    task: "summarization",
    weight: 4,
  },
  { pattern: /\b(translat(e|es|ing|ion|or)|machine translation)\b/, task: "translation", weight: 4 },
  {
    pattern:
      /\b(chat(bot)?s?(?! (logs?|messages?|history|transcripts?))|assistant|conversational|dialog(ue)?|(write|draft)(ing)? (\w+ ){0,2}(emails?|stories|articles|copy|text|code|replies|posts)|generate (\w+ ){0,2}(text|code|replies|stories)|text generation|completions?|code (generation|completion|assistant)|autocomplete code|llm|language model|reason(ing)? about)\b/,
    task: "text-generation",
    weight: 3,
  },
  {
    pattern:
      /\b(embed(ding)?s?|vectors?|semantic search|similar (sentences|texts|documents|questions)|sentence similarity|similarity search|dedupl?icat(e|ion)|near[- ]duplicates?|retrieval|rag|cluster(ing)? (texts?|documents?|sentences))\b/,
    task: { text: "sentence-similarity", image: "image-feature-extraction" },
    weight: 4,
  },
  {
    pattern: /\b(re-?rank(ing|er)?|rank (search )?results|relevance ranking)\b/,
    task: "text-ranking",
    weight: 5,
  },
  {
    pattern: /\b(fill[- ]in[- ]the[- ]blanks?|masked (words?|tokens?)|fill[- ]mask|missing words?)\b/,
    task: "fill-mask",
    weight: 5,
  },
  // Speech and audio.
  {
    pattern:
      /\b(transcri(be|bes|bed|bing|ption)|speech[- ]to[- ]text|speech recognition|asr|dictation|subtitles?)\b/,
    task: "automatic-speech-recognition",
    weight: 5,
  },
  {
    pattern:
      /\b(text[- ]to[- ]speech|tts|read (it |them |text |articles )?(aloud|out loud)|voice ?overs?|synthesi[sz]e (speech|voices?)|speak (the |our )?text)\b/,
    task: "text-to-speech",
    weight: 5,
  },
  {
    pattern:
      /\b(generate (music|sound effects|sounds|jingles)|text[- ]to[- ](music|audio)|music generation)\b/,
    task: "text-to-audio",
    weight: 5,
  },
  {
    pattern: /\b(voice activity|speaker diari[sz]ation|who speaks when|detect (when someone is )?speech)\b/,
    task: "voice-activity-detection",
    weight: 5,
  },
  // Vision.
  {
    pattern:
      /\b(detect(ing|ion)? (the )?(objects?|cars?|people|persons|pedestrians|faces|animals|products|defects)|object detection|bounding box(es)?|locate objects|count (the )?(people|cars|objects))\b/,
    task: "object-detection",
    weight: 5,
  },
  {
    pattern:
      /\b(ocr|optical character recognition|read (the )?text (in|from|on) (images?|photos?|scans?|screenshots?|receipts?)|extract text from (images?|photos?|scans?|scanned)|handwriting( recognition)?)\b/,
    task: "image-to-text",
    weight: 5,
  },
  {
    pattern:
      /\b(caption(s|ing)? (for )?(\w+ )?(images?|photos?|pictures?)|describe (the )?(images?|photos?|pictures?)|alt[- ]text)\b/,
    task: "image-to-text",
    weight: 4,
  },
  {
    pattern:
      /\b(generate (\w+ ){0,2}(images?|pictures?|illustrations?|art|logos?)|text[- ]to[- ]image|image generation|draw(ing)? (pictures|images))\b/,
    task: "text-to-image",
    weight: 5,
  },
  {
    pattern:
      /\b(segment(ation|ing)?|masks? (of|for) objects|remove (the )?backgrounds?|background removal|cut out objects)\b/,
    task: "image-segmentation",
    weight: 4,
  },
  { pattern: /\b(depth (estimation|maps?)|how far away)\b/, task: "depth-estimation", weight: 5 },
  {
    pattern:
      /\b(upscal(e|ing)|super[- ]resolution|enhance (the )?(images?|photos?)|restore (old )?photos?|image[- ]to[- ]image|style transfer)\b/,
    task: "image-to-image",
    weight: 5,
  },
  {
    pattern: /\b(generate (\w+ ){0,2}videos?|text[- ]to[- ]video|video generation|animate)\b/,
    task: "text-to-video",
    weight: 5,
  },
  {
    pattern:
      /\b(similar (images|photos|pictures|products)|image (search|similarity|embeddings?)|visual search|reverse image search)\b/,
    task: "image-feature-extraction",
    weight: 5,
  },
  // Numbers.
  {
    pattern: /\b(forecast(s|ing)?|time[- ]series|predict (future )?(sales|demand|prices|traffic|load))\b/,
    task: "time-series-forecasting",
    weight: 5,
  },
];

/**
 * Tasks that usually come with another: semantic search wants an embedding model, which the Hub files under
 * either task; classifying into labels of one's own is also what zero-shot classifiers do.
 */
export const COMPANION_TASKS: Record<string, string> = {
  "sentence-similarity": "feature-extraction",
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
