import { stat } from "node:fs/promises";
import { join } from "node:path";
import { baseName } from "./sniff.ts";
import { type ByteSource, Cursor } from "./source.ts";
import { checkTemplate } from "./template-check.ts";
import { addFinding, type ScanContext, storedSibling } from "./types.ts";

const MAX_CONFIG = 64 * 1024 ** 2;

async function readJson(source: ByteSource, ctx: ScanContext): Promise<unknown> {
  if (source.size > MAX_CONFIG) {
    addFinding(ctx, {
      rule: "config.too-large",
      severity: "suspicious",
      message: `a ${source.size}-byte config is not inspected`,
    });
    return undefined;
  }
  try {
    return JSON.parse(new TextDecoder().decode(await source.read(0, source.size)));
  } catch (error) {
    addFinding(ctx, {
      rule: "config.json",
      severity: "invalid",
      message: `not valid JSON: ${(error as Error).message}`,
    });
    return undefined;
  }
}

function checkTemplates(value: unknown, ctx: ScanContext, where: string): void {
  const templates: Array<[string, string]> = [];
  if (typeof value === "string") templates.push([where, value]);
  else if (Array.isArray(value)) {
    for (const item of value) {
      const t = item as { name?: unknown; template?: unknown };
      if (typeof t?.template === "string") templates.push([`${where}[${String(t.name)}]`, t.template]);
    }
  }
  for (const [name, template] of templates) checkTemplate(ctx, name, template);
}

/**
 * `config.json` (remote code through `auto_map`), `tokenizer_config.json` (the chat template), a sharded
 * safetensors index (the shards it names). Keras configs are `scanKerasConfig`.
 */
export async function scanConfig(source: ByteSource, ctx: ScanContext): Promise<string> {
  const value = (await readJson(source, ctx)) as Record<string, unknown> | undefined;
  if (typeof value !== "object" || value === null) return "config";
  if (value.auto_map !== undefined) {
    addFinding(ctx, {
      rule: "config.remote-code",
      severity: "suspicious",
      message: `auto_map names repository code that trust_remote_code=True runs: ${JSON.stringify(value.auto_map).slice(0, 200)}`,
      construct: "auto_map",
    });
  }
  if ("chat_template" in value) checkTemplates(value.chat_template, ctx, "chat_template");
  if (baseName(ctx.name).endsWith(".safetensors.index.json")) await checkShardIndex(value, ctx);
  // A Keras config saved as config.json of a .keras archive.
  if (typeof value.class_name === "string" && typeof value.config === "object") scanKerasValue(value, ctx);
  return "config";
}

/** A sharded safetensors index: shard names stay next to the index and, on disk, exist. */
async function checkShardIndex(value: Record<string, unknown>, ctx: ScanContext): Promise<void> {
  const map = value.weight_map as Record<string, unknown> | undefined;
  const shards = typeof map === "object" && map !== null ? Object.values(map) : [];
  if (
    shards.length === 0 ||
    shards.some((shard) => typeof shard !== "string" || /[\\/]|^\.\.?$/.test(shard))
  ) {
    addFinding(ctx, {
      rule: "safetensors.index",
      severity: "invalid",
      message: "weight_map must map tensor names to shard files next to the index",
    });
    return;
  }
  if (ctx.member !== undefined || (ctx.dir === undefined && ctx.siblings === undefined)) return;
  for (const shard of new Set(shards as string[])) {
    const found =
      ctx.dir !== undefined
        ? await stat(join(ctx.dir, shard)).catch(() => undefined)
        : storedSibling(ctx.siblings!, shard);
    if (!found?.isFile()) {
      addFinding(ctx, {
        rule: "safetensors.index.missing-shard",
        severity: "suspicious",
        message: `weight_map names shard ${shard}, which is not next to the index`,
        construct: shard,
      });
    }
  }
}

/** Keras `config.json`: Lambda layers and serialised functions are code; custom modules load code. */
export async function scanKerasConfig(source: ByteSource, ctx: ScanContext): Promise<void> {
  const value = await readJson(source, ctx);
  if (value !== undefined) scanKerasValue(value, ctx);
}

function scanKerasValue(root: unknown, ctx: ScanContext): void {
  const seen = new Set<string>();
  const walk = (value: unknown, depth: number) => {
    if (depth > 200 || typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    const object = value as Record<string, unknown>;
    const className = typeof object.class_name === "string" ? object.class_name : undefined;
    if (className === "Lambda" || className === "TFOpLambda" || className === "__lambda__") {
      if (!seen.has(className)) {
        seen.add(className);
        addFinding(ctx, {
          rule: "keras.lambda",
          severity: "unsafe",
          message: `a ${className} layer carries serialised Python code`,
          construct: className,
        });
      }
    } else if (typeof object.function_type === "string" && object.function_type === "lambda") {
      addFinding(ctx, {
        rule: "keras.lambda",
        severity: "unsafe",
        message: "a serialised lambda function",
        construct: "lambda",
      });
    }
    const module = typeof object.module === "string" ? object.module : undefined;
    if (
      module &&
      className &&
      !/^(keras|tensorflow|tf_keras|builtins|numpy)(\.|$)/.test(module) &&
      !seen.has(module)
    ) {
      seen.add(module);
      addFinding(ctx, {
        rule: "keras.custom-object",
        severity: "suspicious",
        message: `custom object ${className} from module ${module} imports code`,
        construct: `${module}.${className}`,
      });
    }
    for (const child of Object.values(object)) walk(child, depth + 1);
  };
  walk(root, 0);
}

/** An HDF5 Keras model is not parsed; its bytes are searched for a Lambda layer in the stored config. */
export async function scanHdf5(source: ByteSource, ctx: ScanContext): Promise<string> {
  const c = Cursor.over(source);
  const needle = /"class_name":\s*"(Lambda|TFOpLambda)"/;
  const decoder = new TextDecoder("latin1");
  let carry = "";
  while (await c.ensure(1)) {
    const chunk = decoder.decode(c.buf.subarray(c.pos));
    c.pos = c.buf.length;
    const window = carry + chunk;
    const match = needle.exec(window);
    if (match) {
      addFinding(ctx, {
        rule: "keras.lambda",
        severity: "unsafe",
        message: `the HDF5 model config has a ${match[1]} layer (serialised Python code)`,
        construct: match[1]!,
      });
      return "hdf5";
    }
    carry = window.slice(-64);
  }
  addFinding(ctx, {
    rule: "hdf5.not-parsed",
    severity: "info",
    message: "HDF5 is not parsed; its bytes were searched for Lambda layers only",
  });
  return "hdf5";
}

const RISKY_IMPORTS =
  /^\s*(?:import|from)\s+(os|subprocess|socket|ctypes|shutil|requests|urllib|pickle|marshal|importlib)\b/m;

/** Python in a model repo is code `trust_remote_code` runs. */
export async function scanPython(source: ByteSource, ctx: ScanContext): Promise<string> {
  const head = new TextDecoder().decode(await source.read(0, Math.min(source.size, 1024 * 1024)));
  const risky = RISKY_IMPORTS.exec(head)?.[1];
  addFinding(ctx, {
    rule: "code.python",
    severity: "suspicious",
    message: `Python code, which trust_remote_code=True runs${risky ? `; it imports ${risky}` : ""}`,
    ...(risky ? { construct: `import ${risky}` } : {}),
  });
  return "python";
}
