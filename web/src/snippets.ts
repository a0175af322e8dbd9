/**
 * Copy-paste snippets for one model, pointed at this Hangar's URL. One function per client; each returns
 * the code, or a note when the client has no call for the model's task.
 */

export interface SnippetParams {
  base: string;
  id: string;
  task: string | undefined;
}

export interface Snippet {
  key: string;
  language: "Python" | "JavaScript" | "Shell";
  client: string;
  code: string;
}

const TEXT_TASKS = new Set([
  "text-classification",
  "token-classification",
  "fill-mask",
  "feature-extraction",
  "sentence-similarity",
  "text-generation",
  "translation",
  "summarization",
  "zero-shot-classification",
  "question-answering",
  "text2text-generation",
]);

/** An example input for a task, as the inference API takes it. */
export function exampleInput(task: string | undefined): unknown {
  switch (task) {
    case "fill-mask":
      return "The capital of France is [MASK].";
    case "question-answering":
      return { question: "Where does Ada live?", context: "Ada lives in London and works as an engineer." };
    case "sentence-similarity":
      return {
        source_sentence: "A cat sits on the mat.",
        sentences: ["A cat is sitting.", "Stocks fell today."],
      };
    case "text-generation":
      return "Once upon a time";
    case "token-classification":
      return "Ada Lovelace lives in London and works for Acme.";
    default:
      return "I love this product, it works perfectly.";
  }
}

const camel = (task: string) => task.replace(/-(\w)/g, (_match, letter: string) => letter.toUpperCase());
const snake = (task: string) => task.replace(/-/g, "_");
const python = (value: unknown) =>
  JSON.stringify(value)
    .replace(/\btrue\b/g, "True")
    .replace(/\bfalse\b/g, "False");

export function snippets({ base, id, task }: SnippetParams): Snippet[] {
  const input = exampleInput(task);
  const textTask = task && TEXT_TASKS.has(task);
  const generation = task === "text-generation";
  const embeddings = task === "feature-extraction";
  const fileTask =
    task === "image-to-text" ||
    task === "voice-activity-detection" ||
    task?.startsWith("audio") ||
    task?.startsWith("image");
  const list: Snippet[] = [];
  list.push({
    key: "python-hub",
    language: "Python",
    client: "huggingface_hub",
    code: `# pip install huggingface_hub
import os
os.environ["HF_ENDPOINT"] = "${base}"  # set before importing huggingface_hub
from huggingface_hub import InferenceClient, snapshot_download

folder = snapshot_download("${id}")  # token=os.environ["HF_TOKEN"] for private repos
${
  task && (textTask || fileTask)
    ? `client = InferenceClient(model="${base}/models/${id}", token=os.environ.get("HF_TOKEN"))
print(client.${snake(task)}(${fileTask ? '"input-file"' : python(input)}))`
    : "print(folder)"
}`,
  });
  list.push({
    key: "python-transformers",
    language: "Python",
    client: "transformers",
    code: `# pip install transformers
import os
os.environ["HF_ENDPOINT"] = "${base}"  # set before importing transformers
from transformers import pipeline

pipe = pipeline(${task ? `"${task}", ` : ""}model="${id}")
print(pipe(${fileTask ? '"input-file"' : python(input)}))`,
  });
  list.push({
    key: "python-openai",
    language: "Python",
    client: "openai",
    code: generation
      ? `# pip install openai
import os
from openai import OpenAI

client = OpenAI(base_url="${base}/v1", api_key=os.environ.get("HF_TOKEN", "none"))
stream = client.chat.completions.create(
    model="${id}",
    messages=[{"role": "user", "content": "Tell me a story"}],
    stream=True,
)
for chunk in stream:
    print(chunk.choices[0].delta.content or "", end="")`
      : embeddings
        ? `# pip install openai
import os
from openai import OpenAI

client = OpenAI(base_url="${base}/v1", api_key=os.environ.get("HF_TOKEN", "none"))
print(client.embeddings.create(model="${id}", input="Hello world").data[0].embedding[:8])`
        : `# OpenAI's API has chat, completions and embeddings; ${task ?? "this model's task"} runs on
# Hangar's task API instead (see cURL), or on huggingface_hub's InferenceClient.
# The openai client still lists the models this server runs:
import os
from openai import OpenAI

client = OpenAI(base_url="${base}/v1", api_key=os.environ.get("HF_TOKEN", "none"))
print([model.id for model in client.models.list()])`,
  });
  list.push({
    key: "js-hub",
    language: "JavaScript",
    client: "@huggingface/hub",
    code: `// npm install @huggingface/hub
import { downloadFile, listFiles } from "@huggingface/hub";

const hubUrl = "${base}";
const repo = "${id}";
for await (const file of listFiles({ repo, hubUrl, recursive: true })) console.log(file.path, file.size);
const readme = await downloadFile({ repo, path: "README.md", hubUrl /* , accessToken: process.env.HF_TOKEN */ });
console.log(await readme?.text());`,
  });
  list.push({
    key: "js-inference",
    language: "JavaScript",
    client: "@huggingface/inference",
    code:
      task && (textTask || fileTask)
        ? `// npm install @huggingface/inference
import { InferenceClient } from "@huggingface/inference";

const client = new InferenceClient(process.env.HF_TOKEN, { endpointUrl: "${base}/models/${id}" });
${
  generation
    ? `for await (const chunk of client.textGenerationStream({ inputs: ${JSON.stringify(input)} })) {
  process.stdout.write(chunk.token.text);
}`
    : `const output = await client.${camel(task)}({ inputs: ${fileTask ? 'new Blob([await (await import("node:fs/promises")).readFile("input-file")])' : JSON.stringify(input)} });
console.log(output);`
}`
        : `// ${task ?? "This model's task"} has no call in @huggingface/inference; see cURL for Hangar's task API.`,
  });
  list.push({
    key: "js-transformers",
    language: "JavaScript",
    client: "transformers.js",
    code: `// npm install @huggingface/transformers
import { env, pipeline } from "@huggingface/transformers";

env.remoteHost = "${base}/";
env.allowLocalModels = false;
const pipe = await pipeline(${task ? `"${task}"` : '"TASK"'}, "${id}");
console.log(await pipe(${fileTask ? '"input-file"' : JSON.stringify(input)}));`,
  });
  list.push({
    key: "curl",
    language: "Shell",
    client: "cURL",
    code: fileTask
      ? `curl ${base}/models/${id} \\
  -H "Authorization: Bearer $HF_TOKEN" \\
  --data-binary @input-file`
      : `curl ${base}/v1/inference/${task ?? "TASK"} \\
  -H "Authorization: Bearer $HF_TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '${JSON.stringify({ model: id, inputs: input })}'`,
  });
  list.push({
    key: "cli",
    language: "Shell",
    client: "hangar CLI",
    code: `# On the server's machine (or with HANGAR_HOME pointing at its folder)
hangar download ${id}
${task ? `hangar run ${task} ${id} ${fileTask ? "input-file" : `'${typeof input === "string" ? input : JSON.stringify(input)}'`}\n` : ""}hangar compare ${id} OTHER/MODEL`,
  });
  return list;
}
