import type { CorpusFile } from "./scan-corpus.ts";

/** Scanner corpus: data governance: secrets and personal data in text, CSV, JSON and cards. */

const HF_TOKEN = `hf_${"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z"}`;

export const DATA_MALICIOUS: CorpusFile[] = [
  {
    name: "notes.txt",
    bytes: Buffer.from(`token = ${HF_TOKEN}\n`),
    expect: "suspicious",
    rule: "data.secret.huggingface",
    why: "HF token",
  },
  {
    name: "rows.csv",
    bytes: Buffer.from("id,key,email\n1,AKIAIOSFODNN7EXAMPLE,jane.doe@example.com\n2,x,john@example.org\n"),
    expect: "suspicious",
    rule: "data.secret.aws",
    why: "AWS key and e-mails",
  },
  {
    name: "rows.jsonl",
    bytes: Buffer.from(`{"text": "ghp_${"a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"}"}\n`),
    expect: "suspicious",
    rule: "data.secret.github",
    why: "GitHub token",
  },
  {
    name: "env.md",
    bytes: Buffer.from("OPENAI_API_KEY=sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12\n"),
    expect: "suspicious",
    rule: "data.secret.openai",
    why: "OpenAI-style key",
  },
  {
    name: "key.txt",
    bytes: Buffer.from("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"),
    expect: "suspicious",
    rule: "data.secret.private-key",
    why: "PEM private key",
  },
  {
    name: "people.csv",
    bytes: Buffer.from(
      "name,phone,card\nA,+1 415 555 0132,4111 1111 1111 1111\nB,(212) 555-0199,5500-0000-0000-0004\n",
    ),
    expect: "suspicious",
    rule: "data.personal.card",
    why: "phones and Luhn-valid cards",
  },
];

export const DATA_BENIGN: CorpusFile[] = [
  {
    name: "README.md",
    bytes: Buffer.from("# Model\n\nA task-specific model; see the paper.\n"),
    expect: "safe",
    why: "model card",
  },
  {
    name: "train.csv",
    bytes: Buffer.from("id,text,label\n1234567812345678,good movie,1\n2,bad task-sk-like words,0\n"),
    expect: "safe",
    why: "ids that fail Luhn, no PII",
  },
  {
    name: "labels.json",
    bytes: Buffer.from('{"0": "negative", "1": "positive"}'),
    expect: "safe",
    format: "json",
    why: "plain JSON",
  },
  {
    name: "train.jsonl",
    bytes: Buffer.from('{"text": "hello world", "label": 0}\n{"text": "version 1.2.3", "label": 1}\n'),
    expect: "safe",
    why: "plain JSONL",
  },
];
