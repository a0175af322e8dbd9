/**
 * Where each token of a text lies in that text. transformers.js gives no offset mapping (the Python fast
 * tokenizers' `return_offsets_mapping`), so the tokens are laid back onto the text: each token's surface (its
 * vocabulary string without the tokenizer's word-piece and space markers) is found from where the previous one
 * ended. Both sides are compared case-folded and without accents, as uncased tokenizers see text.
 */

/** How a tokenizer marks pieces of words and spaces in its vocabulary strings, read from `tokenizer.json`. */
export interface TokenMarkers {
  /** WordPiece's `##`: the token continues the word before it. */
  continuingPrefix: string | null;
  /** Byte-level BPE (GPT-2, RoBERTa): each character of a token stands for one byte (`Ġ` for a space). */
  byteLevel: boolean;
  /** SentencePiece's `▁`, standing for a space. */
  spaceMarker: string | null;
}

export interface TokenSpan {
  /** Offsets in UTF-16 code units, as `String.prototype.slice` takes them. */
  start: number;
  end: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The components of a tokenizer.json part, looking inside `Sequence`s. */
function components(part: unknown): Array<Record<string, unknown>> {
  if (!isRecord(part)) return [];
  const nested = part.pretokenizers ?? part.decoders ?? part.normalizers;
  return Array.isArray(nested) ? nested.flatMap(components) : [part];
}

/** The markers of a tokenizer, from the `model`, `pre_tokenizer` and `decoder` of its tokenizer.json. */
export function tokenMarkers(tokenizerJson: unknown): TokenMarkers {
  const json = isRecord(tokenizerJson) ? tokenizerJson : {};
  const model = isRecord(json.model) ? json.model : {};
  const parts = [...components(json.pre_tokenizer), ...components(json.decoder)];
  const prefix =
    typeof model.continuing_subword_prefix === "string" && model.continuing_subword_prefix !== ""
      ? model.continuing_subword_prefix
      : model.type === "WordPiece"
        ? "##"
        : null;
  const metaspace = parts.find((part) => part.type === "Metaspace");
  return {
    continuingPrefix: prefix,
    byteLevel: parts.some((part) => part.type === "ByteLevel"),
    spaceMarker: metaspace ? (typeof metaspace.replacement === "string" ? metaspace.replacement : "▁") : null,
  };
}

/** GPT-2's byte-to-character table, reversed: the byte each character of a byte-level token stands for. */
const BYTE_OF_CHARACTER: ReadonlyMap<string, number> = (() => {
  const printable = (byte: number) =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  const table = new Map<string, number>();
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) {
    table.set(String.fromCodePoint(printable(byte) ? byte : 256 + shifted++), byte);
  }
  return table;
})();

/** The text a vocabulary string stands for, without its markers; null when it is not whole characters. */
export function tokenSurface(token: string, markers: TokenMarkers): string | null {
  let text = token;
  if (markers.continuingPrefix && text.startsWith(markers.continuingPrefix)) {
    text = text.slice(markers.continuingPrefix.length);
  }
  if (markers.byteLevel) {
    const bytes: number[] = [];
    for (const character of text) {
      const byte = BYTE_OF_CHARACTER.get(character);
      if (byte === undefined) return text;
      bytes.push(byte);
    }
    text = Buffer.from(bytes).toString("utf8");
    // A character split over several tokens: this token alone cannot be placed.
    if (text.includes("\uFFFD")) return null;
  }
  if (markers.spaceMarker) text = text.split(markers.spaceMarker).join(" ");
  return text;
}

const fold = (text: string) => text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

/** The text case-folded and without accents, with the original offsets of each folded code unit. */
function foldWithOffsets(text: string): { folded: string; starts: number[]; ends: number[] } {
  let folded = "";
  const starts: number[] = [];
  const ends: number[] = [];
  let offset = 0;
  for (const character of text) {
    const piece = fold(character);
    for (let i = 0; i < piece.length; i++) {
      starts.push(offset);
      ends.push(offset + character.length);
    }
    folded += piece;
    offset += character.length;
  }
  return { folded, starts, ends };
}

const isSpace = (character: string | undefined) => character !== undefined && /\s/u.test(character);

/**
 * The span of each token in `text`, in order; a token that cannot be placed by its own characters (an
 * unknown token, part of a character) gets the text between its neighbours, or null when there is none.
 */
export function tokenOffsets(
  text: string,
  tokens: readonly string[],
  markers: TokenMarkers,
): Array<TokenSpan | null> {
  const { folded, starts, ends } = foldWithOffsets(text);
  const spans: Array<TokenSpan | null> = tokens.map(() => null);
  let cursor = 0;
  let unplaced: number[] = [];
  // Unplaced tokens share the stretch of text between the tokens placed around them, spaces trimmed.
  const fillGap = (gapEnd: number) => {
    let from = cursor;
    let to = gapEnd;
    while (from < to && isSpace(folded[from])) from++;
    while (to > from && isSpace(folded[to - 1])) to--;
    if (from < to) for (const index of unplaced) spans[index] = { start: starts[from]!, end: ends[to - 1]! };
    unplaced = [];
  };
  tokens.forEach((token, index) => {
    const surface = tokenSurface(token, markers);
    const wanted = surface === null ? "" : fold(surface).trim();
    let at = -1;
    if (wanted !== "") {
      let next = cursor;
      while (isSpace(folded[next])) next++;
      at = folded.startsWith(wanted, next) ? next : folded.indexOf(wanted, cursor);
    }
    if (at < 0) {
      unplaced.push(index);
      return;
    }
    fillGap(at);
    spans[index] = { start: starts[at]!, end: ends[at + wanted.length - 1]! };
    cursor = at + wanted.length;
  });
  fillGap(folded.length);
  return spans;
}

/**
 * Characters that end a word on their own: spaces, punctuation and symbols, and the scripts written without
 * spaces, whose characters tokenizers split one by one (as BERT's pre-tokenizer does with CJK ideographs).
 */
const WORD_EDGE = /[\s\p{P}\p{S}\p{Ideographic}\p{Script=Hiragana}\p{Script=Katakana}]/u;

const isWordEdge = (character: string | undefined) => character !== undefined && WORD_EDGE.test(character);

/** Whether a span starting at `start` starts a word of `text` (rather than continuing one: a word piece). */
export function startsWord(text: string, start: number): boolean {
  return start === 0 || isWordEdge(text[start - 1]) || isWordEdge(text[start]);
}

/** Whether a span ending at `end` ends a word of `text`. */
export function endsWord(text: string, end: number): boolean {
  return end >= text.length || isWordEdge(text[end]) || isWordEdge(text[end - 1]);
}
