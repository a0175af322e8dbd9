import { gguf, onnxModel, rawSafetensors, safetensors } from "./scan-builders-tensors.ts";
import type { CorpusFile } from "./scan-corpus.ts";

/** Scanner corpus: the tensor formats that hold no code: safetensors, GGUF and ONNX. */

const S1 = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';

export const WEIGHTS_MALICIOUS: CorpusFile[] = [
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
];

export const WEIGHTS_BENIGN: CorpusFile[] = [
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
];
