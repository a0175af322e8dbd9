import { gguf, onnxModel, rawSafetensors, safetensors, zip } from "./scan-builders.ts";
import type { CorpusFile } from "./scan-corpus-pickle.ts";

const S1 = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
const kerasConfig = (layer: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    class_name: "Sequential",
    config: {
      name: "seq",
      layers: [
        { module: "keras.layers", class_name: "Dense", config: { units: 2 } },
        { module: "keras.layers", class_name: layer, config: extra },
      ],
    },
  });
const HF_TOKEN = `hf_${"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z"}`;

export const OTHER_MALICIOUS: CorpusFile[] = [
  // safetensors (reference tests S2–S12)
  {
    name: "s2.safetensors",
    bytes: Buffer.concat([rawSafetensors(S1, 16, false), Buffer.from("xx")]),
    expect: "invalid",
    rule: "safetensors.buffer-size",
    why: "S2 trailing bytes",
  },
  {
    name: "s3.safetensors",
    bytes: rawSafetensors(S1, 14, false),
    expect: "invalid",
    rule: "safetensors.buffer-size",
    why: "S3 two bytes short",
  },
  {
    name: "s4.safetensors",
    bytes: Buffer.concat([Buffer.from("3c000000" + "00ffffff", "hex"), Buffer.from(S1)]),
    expect: "invalid",
    rule: "safetensors.header-too-large",
    why: "S4 header length too large",
  },
  {
    name: "s5-empty.safetensors",
    bytes: new Uint8Array(0),
    expect: "invalid",
    rule: "safetensors.header-too-small",
    why: "S5 empty",
  },
  {
    name: "s5-brace.safetensors",
    bytes: rawSafetensors("{", 0, false),
    expect: "invalid",
    rule: "safetensors.header-json",
    why: "S5 '{' only",
  },
  {
    name: "s5-utf8.safetensors",
    bytes: Buffer.concat([Buffer.from("0400000000000000", "hex"), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]),
    expect: "invalid",
    rule: "safetensors.header-json",
    why: "S5 not UTF-8",
  },
  {
    name: "s8.safetensors",
    bytes: rawSafetensors('{"t":{"dtype":"I32","shape":[2,2],"data_offsets":[0,4]}}', 4),
    expect: "invalid",
    rule: "safetensors.tensor-info",
    why: "S8 offsets do not hold the shape",
  },
  {
    name: "s9.safetensors",
    bytes: rawSafetensors('{"t":{"dtype":"I32","shape":[9223372036854775808,4],"data_offsets":[0,4]}}', 4),
    expect: "invalid",
    why: "S9 dimension 2^63",
  },
  {
    name: "s10-overlap.safetensors",
    bytes: rawSafetensors(
      '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}',
      6,
    ),
    expect: "invalid",
    rule: "safetensors.offsets",
    why: "S10 overlap",
  },
  {
    name: "s10-gap.safetensors",
    bytes: rawSafetensors(
      '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[6,10]}}',
      10,
    ),
    expect: "invalid",
    rule: "safetensors.offsets",
    why: "S10 gap (a hidden payload)",
  },
  {
    name: "s11.safetensors",
    bytes: rawSafetensors('{"__metadata__":{"format":1}}', 0),
    expect: "invalid",
    rule: "safetensors.metadata",
    why: "S11 non-string metadata",
  },
  {
    name: "s12.safetensors",
    bytes: rawSafetensors(
      '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}',
      8,
    ),
    expect: "invalid",
    rule: "safetensors.duplicate-key",
    why: "S12 duplicate key",
  },
  {
    name: "dtype.safetensors",
    bytes: safetensors({ t: { dtype: "F128", shape: [1], bytes: 16 } }),
    expect: "invalid",
    rule: "safetensors.dtype",
    why: "unknown dtype",
  },
  {
    name: "f4-odd.safetensors",
    bytes: safetensors({ t: { dtype: "F4", shape: [3], bytes: 2 } }),
    expect: "invalid",
    rule: "safetensors.misaligned",
    why: "3 F4 values are not whole bytes",
  },
  // GGUF (G2–G6)
  {
    name: "g2.gguf",
    bytes: Buffer.concat([Buffer.from("GGUX"), gguf({}).subarray(4)]),
    expect: "invalid",
    rule: "gguf.structure",
    why: "G2 bad magic",
  },
  {
    name: "g3.gguf",
    bytes: gguf({}, [], { kv: 1n << 60n }),
    expect: "invalid",
    rule: "gguf.structure",
    why: "G3 kv_count 2^60 in a short file",
  },
  {
    name: "g4.gguf",
    bytes: gguf({ "general.alignment": { type: "u32", value: 3 } }),
    expect: "invalid",
    rule: "gguf.structure",
    why: "G4 alignment not a power of two",
  },
  {
    name: "g5.gguf",
    bytes: gguf({}, [{ name: "w", dims: [8], offset: 4096 }]),
    expect: "invalid",
    rule: "gguf.structure",
    why: "G5 tensor beyond EOF",
  },
  {
    name: "g6.gguf",
    bytes: gguf({
      "tokenizer.chat_template": { type: "string", value: "{{ ''.__class__.__mro__[1].__subclasses__() }}" },
    }),
    expect: "unsafe",
    rule: "template.python-internals",
    why: "G6 SSTI chat template",
  },
  // ONNX external data and custom domains
  {
    name: "etc.onnx",
    bytes: onnxModel({ initializers: [{ name: "w", external: { location: "../../etc/passwd" } }] }),
    expect: "unsafe",
    rule: "onnx.external-data.location",
    why: "relative path escaping",
  },
  {
    name: "abs.onnx",
    bytes: onnxModel({ initializers: [{ name: "w", external: { location: "/etc/shadow" } }] }),
    expect: "unsafe",
    rule: "onnx.external-data.location",
    why: "absolute path",
  },
  {
    name: "sub.onnx",
    bytes: onnxModel({ initializers: [{ name: "w", external: { location: "sub/../../x" } }] }),
    expect: "unsafe",
    rule: "onnx.external-data.location",
    why: "sub/../../x",
  },
  {
    name: "drive.onnx",
    bytes: onnxModel({ initializers: [{ name: "w", external: { location: "C:\\x" } }] }),
    expect: "unsafe",
    rule: "onnx.external-data.location",
    why: "drive letter",
  },
  {
    name: "link.onnx",
    bytes: onnxModel({ initializers: [{ name: "w", external: { location: "weights.bin" } }] }),
    siblings: { "weights.bin": { symlink: "/etc/hostname" } },
    expect: "unsafe",
    rule: "onnx.external-data.location",
    why: "external data through a symlink",
  },
  {
    name: "range.onnx",
    bytes: onnxModel({
      initializers: [{ name: "w", external: { location: "weights.bin", offset: "64", length: "64" } }],
    }),
    siblings: { "weights.bin": new Uint8Array(16) },
    expect: "invalid",
    rule: "onnx.external-data.range",
    why: "offset beyond the data file",
  },
  {
    name: "custom.onnx",
    bytes: onnxModel({ nodes: [{ op: "Backdoor", domain: "com.evil.ops" }] }),
    expect: "suspicious",
    rule: "onnx.custom-domain",
    why: "custom operator domain",
  },
  // configs and code
  {
    name: "config.json",
    bytes: Buffer.from(JSON.stringify({ model_type: "x", auto_map: { AutoModel: "modeling_x.XModel" } })),
    expect: "suspicious",
    rule: "config.remote-code",
    why: "auto_map remote code",
  },
  {
    name: "model.safetensors.index.json",
    bytes: Buffer.from(
      JSON.stringify({
        metadata: { total_size: 8 },
        weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors" },
      }),
    ),
    siblings: { "model-00001-of-00002.safetensors": new Uint8Array(0) },
    expect: "suspicious",
    rule: "safetensors.index.missing-shard",
    why: "S13 index naming a missing shard",
  },
  {
    name: "escape.safetensors.index.json",
    bytes: Buffer.from(JSON.stringify({ weight_map: { a: "../../secret.safetensors" } })),
    expect: "invalid",
    rule: "safetensors.index",
    why: "index pointing outside its folder",
  },
  {
    name: "modeling_x.py",
    bytes: Buffer.from("import os\nclass XModel:\n    pass\n"),
    expect: "suspicious",
    rule: "code.python",
    why: "Python in the repo",
  },
  {
    name: "tokenizer_config.json",
    bytes: Buffer.from(
      JSON.stringify({
        chat_template:
          "{% for m in messages %}{{ cycler.__init__.__globals__.os.popen('id').read() }}{% endfor %}",
      }),
    ),
    expect: "unsafe",
    rule: "template.python-internals",
    why: "chat template SSTI",
  },
  {
    name: "model.keras",
    bytes: zip([
      { name: "metadata.json", data: "{}" },
      {
        name: "config.json",
        data: kerasConfig("Lambda", { function: { class_name: "__lambda__", config: { code: "4wEAAAAA" } } }),
      },
      { name: "model.weights.h5", data: "" },
    ]),
    expect: "unsafe",
    rule: "keras.lambda",
    why: "Keras Lambda layer",
  },
  {
    name: "model.h5",
    bytes: Buffer.concat([
      Buffer.from("894844460d0a1a0a", "hex"),
      Buffer.alloc(100),
      Buffer.from('{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda"}]}}'),
    ]),
    expect: "unsafe",
    rule: "keras.lambda",
    why: "Lambda in an HDF5 model config",
  },
  // data governance
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

export const OTHER_BENIGN: CorpusFile[] = [
  {
    name: "s1.safetensors",
    bytes: rawSafetensors(S1, 16, false),
    expect: "safe",
    format: "safetensors",
    why: "S1",
  },
  {
    name: "s6.safetensors",
    bytes: rawSafetensors("  {}  ", 0, false),
    expect: "safe",
    why: "S6 whitespace, no tensors",
  },
  {
    name: "s7.safetensors",
    bytes: rawSafetensors('{"t":{"dtype":"F32","shape":[2,0],"data_offsets":[0,0]}}', 0),
    expect: "safe",
    why: "S7 zero-size tensor",
  },
  {
    name: "model.safetensors",
    bytes: safetensors(
      {
        "embed.weight": { dtype: "BF16", shape: [8, 4], bytes: 64 },
        "fp4.weight": { dtype: "F4", shape: [4, 4], bytes: 8 },
        "fp6a.weight": { dtype: "F6_E2M3", shape: [4], bytes: 3 },
        "fp6b.weight": { dtype: "F6_E3M2", shape: [8], bytes: 6 },
        scale: { dtype: "F8_E8M0", shape: [2], bytes: 2 },
        bias: { dtype: "F32", shape: [], bytes: 4 },
      },
      { format: "pt" },
    ),
    expect: "safe",
    why: "recent dtypes, 0-rank, metadata",
  },
  {
    name: "g1.gguf",
    bytes: gguf({ "general.architecture": { type: "string", value: "llama" } }),
    expect: "safe",
    format: "gguf",
    why: "G1 minimal",
  },
  {
    name: "chat.gguf",
    bytes: gguf(
      {
        "general.alignment": { type: "u32", value: 32 },
        "tokenizer.ggml.tokens": { type: "strings", value: ["<s>", "</s>", "hi"] },
        "tokenizer.chat_template": {
          type: "string",
          value: "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}",
        },
      },
      [
        { name: "w", dims: [4, 2] },
        { name: "b", dims: [3] },
      ],
    ),
    expect: "safe",
    why: "tensors and an ordinary chat template",
  },
  {
    name: "plain.onnx",
    bytes: onnxModel({ initializers: [{ name: "w", raw: new Uint8Array(64) }] }),
    expect: "safe",
    format: "onnx",
    why: "inline weights",
  },
  {
    name: "ext.onnx",
    bytes: onnxModel({
      initializers: [{ name: "w", external: { location: "weights.bin", offset: "0", length: "16" } }],
    }),
    siblings: { "weights.bin": new Uint8Array(16) },
    expect: "safe",
    why: "external data next to the model",
  },
  {
    name: "ms.onnx",
    bytes: onnxModel({
      nodes: [
        { op: "FusedMatMul", domain: "com.microsoft" },
        { op: "Relu", domain: "ai.onnx" },
      ],
    }),
    expect: "safe",
    why: "onnxruntime's own domains",
  },
  {
    name: "fn.onnx",
    bytes: onnxModel({
      nodes: [{ op: "MyGelu", domain: "local.fns" }],
      functions: [{ name: "MyGelu", domain: "local.fns" }],
    }),
    expect: "safe",
    why: "a model-local function is not a custom op",
  },
  {
    name: "config.json",
    bytes: Buffer.from(JSON.stringify({ model_type: "bert", hidden_size: 8 })),
    expect: "safe",
    why: "plain config",
  },
  {
    name: "model.safetensors.index.json",
    bytes: Buffer.from(
      JSON.stringify({ metadata: { total_size: 8 }, weight_map: { a: "model-00001-of-00001.safetensors" } }),
    ),
    siblings: { "model-00001-of-00001.safetensors": new Uint8Array(0) },
    expect: "safe",
    why: "index whose shards are present",
  },
  {
    name: "tokenizer_config.json",
    bytes: Buffer.from(
      JSON.stringify({ chat_template: "{% for m in messages %}{{ m.content }}{% endfor %}" }),
    ),
    expect: "safe",
    why: "plain chat template",
  },
  {
    name: "ok.keras",
    bytes: zip([
      { name: "metadata.json", data: "{}" },
      { name: "config.json", data: kerasConfig("Dense") },
    ]),
    expect: "safe",
    format: "keras",
    why: "Dense layers only",
  },
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
