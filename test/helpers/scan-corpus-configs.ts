import { zip } from "./scan-builders-containers.ts";
import type { CorpusFile } from "./scan-corpus.ts";

/** Scanner corpus: configs and code: remote-code configs, shard indexes, Python files, chat templates, Keras. */

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

export const CONFIG_MALICIOUS: CorpusFile[] = [
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
];

export const CONFIG_BENIGN: CorpusFile[] = [
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
];
