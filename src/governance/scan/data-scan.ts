import { extensionOf } from "./sniff.ts";
import { type ByteSource, Cursor } from "./source.ts";
import { addFinding, type ScanContext, type Severity } from "./types.ts";

interface Detector {
  rule: string;
  label: string;
  kind: "secret" | "personal";
  pattern: RegExp;
  accept?: (match: string) => boolean;
  mask: (match: string) => string;
}

const maskSecret = (value: string) =>
  `${value.slice(0, value.startsWith("github_pat_") ? 11 : 4)}…${value.slice(-2)} (${value.length} chars)`;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const DETECTORS: Detector[] = [
  {
    rule: "data.secret.huggingface",
    label: "Hugging Face token",
    kind: "secret",
    pattern: /\bhf_[A-Za-z0-9]{30,40}\b/g,
    mask: maskSecret,
  },
  {
    rule: "data.secret.aws",
    label: "AWS access key id",
    kind: "secret",
    pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
    mask: maskSecret,
  },
  {
    rule: "data.secret.github",
    label: "GitHub token",
    kind: "secret",
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
    mask: maskSecret,
  },
  {
    rule: "data.secret.openai",
    label: "OpenAI-style API key",
    kind: "secret",
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
    accept: (match) => /\d/.test(match) && /[A-Za-z]/.test(match.slice(3)),
    mask: maskSecret,
  },
  {
    rule: "data.secret.private-key",
    label: "private key block",
    kind: "secret",
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
    mask: (m) => m,
  },
  {
    rule: "data.personal.email",
    label: "e-mail address",
    kind: "personal",
    pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g,
    mask: (m) => `${m[0]}***@${m.slice(m.indexOf("@") + 1)}`,
  },
  {
    rule: "data.personal.phone",
    label: "phone number",
    kind: "personal",
    pattern:
      /(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,4}){1,4}|\(\d{3}\) ?\d{3}-\d{4}|\b\d{3}-\d{3}-\d{4})\b/g,
    accept: (m) => {
      const digits = m.replace(/\D/g, "").length;
      return digits >= 9 && digits <= 15;
    },
    mask: (m) => `${m.slice(0, m.startsWith("+") ? 3 : 1)}***${m.slice(-2)}`,
  },
  {
    rule: "data.personal.card",
    label: "payment card number",
    kind: "personal",
    pattern: /\b[3-6]\d{3}(?:[ -]?\d){9,15}\b/g,
    accept: (m) => {
      const digits = m.replace(/\D/g, "");
      return digits.length >= 13 && digits.length <= 19 && luhn(digits);
    },
    mask: (m) => `**** ${m.replace(/\D/g, "").slice(-4)}`,
  },
];

/** Files that are data (rows about people): personal data there is flagged; elsewhere it is noted. */
const DATASET_EXTENSIONS = new Set(["csv", "tsv", "jsonl", "ndjson", "parquet", "txt"]);

interface Tally {
  count: number;
  samples: string[];
}

/** Counts secrets and personal data in a text file, streaming it line-aligned in chunks. */
export async function scanText(source: ByteSource, ctx: ScanContext, format = "text"): Promise<string> {
  const tallies = new Map<Detector, Tally>();
  const c = Cursor.over(source);
  const decoder = new TextDecoder("utf-8");
  let carry = "";
  while (await c.ensure(1)) {
    const all = carry + decoder.decode(c.buf.subarray(c.pos), { stream: true });
    c.pos = c.buf.length;
    // Patterns never span lines; a line longer than 64 KiB is cut.
    const cut = all.lastIndexOf("\n");
    const end = cut >= 0 ? cut + 1 : all.length > 65_536 ? all.length : 0;
    scanChunk(all.slice(0, end), tallies);
    carry = all.slice(end);
  }
  scanChunk(carry + decoder.decode(), tallies);
  report(tallies, ctx);
  return format;
}

export type Tallies = Map<Detector, Tally>;

/** Adds already-decoded texts (Parquet cells) to `tallies`; `reportTallies` turns them into findings. */
export function tallyStrings(texts: Iterable<string>, tallies: Tallies): void {
  for (const text of texts) scanChunk(text, tallies);
}

export function reportTallies(tallies: Tallies, ctx: ScanContext): void {
  report(tallies, ctx);
}

function scanChunk(text: string, tallies: Map<Detector, Tally>): void {
  for (const detector of DETECTORS) {
    detector.pattern.lastIndex = 0;
    for (const match of text.matchAll(detector.pattern)) {
      if (detector.accept && !detector.accept(match[0])) continue;
      let tally = tallies.get(detector);
      if (!tally) {
        tally = { count: 0, samples: [] };
        tallies.set(detector, tally);
      }
      tally.count++;
      const masked = detector.mask(match[0]);
      if (tally.samples.length < 3 && !tally.samples.includes(masked)) tally.samples.push(masked);
    }
  }
}

function report(tallies: Map<Detector, Tally>, ctx: ScanContext): void {
  const dataset = DATASET_EXTENSIONS.has(extensionOf(ctx.name));
  for (const [detector, tally] of tallies) {
    const severity: Severity = detector.kind === "secret" || dataset ? "suspicious" : "info";
    addFinding(ctx, {
      rule: detector.rule,
      severity,
      message: `${tally.count} ${detector.label}${tally.count === 1 ? "" : "s"}`,
      count: tally.count,
      samples: tally.samples,
      construct: detector.label,
    });
  }
}
