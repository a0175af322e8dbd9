import { useRef, useState } from "preact/hooks";
import { errorText, postFile, postJson, postStream } from "./api.ts";
import { CopyButton } from "./copy-button.tsx";
import { useJson } from "./files.tsx";
import { formatMs } from "./format.ts";
import { InferenceStatus } from "./inference-status.tsx";
import { exampleInput, snippets } from "./snippets.ts";
import type { RepoInfo } from "./types.ts";

interface ServedModels {
  data: Array<{ id: string; tasks: string[]; revision?: string }>;
}

const FILE_TASKS: Record<string, { accept: string; what: string }> = {
  "image-to-text": { accept: "image/*", what: "an image" },
  "voice-activity-detection": { accept: "audio/*", what: "an audio file (WAV)" },
  "automatic-speech-recognition": { accept: "audio/*", what: "an audio file" },
  "audio-classification": { accept: "audio/*", what: "an audio file" },
  "image-classification": { accept: "image/*", what: "an image" },
};

/** Integration: try the model, copy a snippet for any client, see how this server serves it. */
export function IntegrationPanel({ id, info }: { id: string; info: RepoInfo | null }) {
  const served = useJson<ServedModels>("/v1/models");
  const entry = served.data?.data.find((model) => model.id === id);
  const task = entry?.tasks[0] ?? info?.pipeline_tag ?? info?.hangar?.tasks[0];
  return (
    <section class="integration" aria-labelledby="integration-heading">
      <h2 id="integration-heading">Integration</h2>
      <h3>Try it</h3>
      {served.error ? <p class="error">{served.error}</p> : null}
      {served.data && !entry ? (
        <p class="muted">
          This Hangar cannot run {id}: only models whose files are stored here and whose task the local
          runtime has run in the widget.{" "}
          {info?.hangar?.origin === "upstream" ? `Pull it first: hangar pull ${id}.` : ""}
        </p>
      ) : null}
      {entry && task ? <TryIt id={id} task={task} /> : null}
      <InferenceStatus id={id} task={task} served={entry} />
      <Snippets id={id} task={task} />
    </section>
  );
}

function TryIt({ id, task }: { id: string; task: string }) {
  const example = exampleInput(task);
  const fields = (typeof example === "object" && example ? example : {}) as {
    context?: string;
    source_sentence?: string;
    sentences?: string[];
  };
  const [text, setText] = useState(
    typeof example === "string" ? example : (fields.context ?? fields.source_sentence ?? ""),
  );
  const [others, setOthers] = useState((fields.sentences ?? []).join("\n"));
  const [question, setQuestion] = useState("Where does Ada live?");
  const [labels, setLabels] = useState("positive, negative, neutral");
  const [output, setOutput] = useState<unknown>(null);
  const [streamed, setStreamed] = useState("");
  const [latency, setLatency] = useState<{ total: number; first?: number; server?: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const fileTask = FILE_TASKS[task];

  const run = async () => {
    setRunning(true);
    setError(null);
    setOutput(null);
    setStreamed("");
    setLatency(null);
    const started = performance.now();
    try {
      if (fileTask) {
        const chosen = file.current?.files?.[0];
        if (!chosen) throw new Error(`Choose ${fileTask.what} first`);
        const answer = await postFile<unknown>(`/models/${id}`, chosen);
        setOutput(answer);
        setLatency({ total: performance.now() - started });
      } else if (task === "text-generation") {
        let first: number | undefined;
        let textSoFar = "";
        await postStream(
          `/v1/inference/${task}`,
          { model: id, inputs: text, stream: true, parameters: { max_new_tokens: 64 } },
          (data) => {
            const event = data as {
              token?: { text?: string } | null;
              generated_text?: string | null;
              error?: string;
            };
            if (event.error) throw new Error(event.error);
            if (event.token?.text) {
              first ??= performance.now() - started;
              textSoFar += event.token.text;
              setStreamed(textSoFar);
            }
          },
        );
        setLatency({ total: performance.now() - started, ...(first !== undefined ? { first } : {}) });
      } else {
        const inputs =
          task === "question-answering"
            ? { question, context: text }
            : task === "sentence-similarity"
              ? { source_sentence: text, sentences: others.split("\n").filter((line) => line.trim()) }
              : text;
        const parameters =
          task === "zero-shot-classification"
            ? {
                candidate_labels: labels
                  .split(",")
                  .map((label) => label.trim())
                  .filter(Boolean),
              }
            : {};
        const answer = await postJson<{ outputs: unknown; usage?: { latency_ms?: number } }>(
          `/v1/inference/${task}`,
          { model: id, inputs, parameters },
        );
        setOutput(answer.outputs);
        setLatency({
          total: performance.now() - started,
          ...(answer.usage?.latency_ms !== undefined ? { server: answer.usage.latency_ms } : {}),
        });
      }
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setRunning(false);
    }
  };

  return (
    <form
      class="try-it"
      aria-label={`Try ${id}`}
      onSubmit={(event) => {
        event.preventDefault();
        void run();
      }}
    >
      {fileTask ? (
        <>
          <label for="try-file">Upload {fileTask.what}</label>
          <input id="try-file" ref={file} type="file" accept={fileTask.accept} />
        </>
      ) : (
        <>
          {task === "question-answering" ? (
            <>
              <label for="try-question">Question</label>
              <input
                id="try-question"
                value={question}
                onInput={(event) => setQuestion(event.currentTarget.value)}
              />
            </>
          ) : null}
          <label for="try-input">{task === "question-answering" ? "Context" : "Input text"}</label>
          <textarea
            id="try-input"
            rows={3}
            value={text}
            onInput={(event) => setText(event.currentTarget.value)}
          />
          {task === "sentence-similarity" ? (
            <>
              <label for="try-others">Sentences to compare with (one per line)</label>
              <textarea
                id="try-others"
                rows={3}
                value={others}
                onInput={(event) => setOthers(event.currentTarget.value)}
              />
            </>
          ) : null}
          {task === "zero-shot-classification" ? (
            <>
              <label for="try-labels">Candidate labels (comma-separated)</label>
              <input
                id="try-labels"
                value={labels}
                onInput={(event) => setLabels(event.currentTarget.value)}
              />
            </>
          ) : null}
        </>
      )}
      <button type="submit" class="primary" disabled={running}>
        {running ? "Running…" : "Run"}
      </button>
      <div class="try-output" aria-live="polite">
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        {streamed ? <p class="generated">{streamed}</p> : null}
        {output !== null ? <Output value={output} /> : null}
        {latency ? (
          <p class="muted latency">
            Latency {formatMs(latency.total)} in the browser
            {latency.first !== undefined ? `, first token after ${formatMs(latency.first)}` : ""}
            {latency.server !== undefined ? `, ${formatMs(latency.server)} on the server` : ""}
          </p>
        ) : null}
      </div>
    </form>
  );
}

/** Label/score lists as bars; anything else as JSON. */
function Output({ value }: { value: unknown }) {
  const list = Array.isArray(value) && Array.isArray(value[0]) ? (value[0] as unknown[]) : value;
  if (
    Array.isArray(list) &&
    list.every((item) => item && typeof item === "object" && "label" in item && "score" in item)
  ) {
    return (
      <ul class="labels">
        {(list as Array<{ label: string; score: number }>).map((item) => (
          <li key={item.label}>
            <span class="label">{item.label}</span>
            <meter min={0} max={1} value={item.score} aria-label={`${item.label} score`} />
            <span>{item.score.toFixed(3)}</span>
          </li>
        ))}
      </ul>
    );
  }
  const single = Array.isArray(list) && list.length === 1 ? list[0] : list;
  const text =
    single && typeof single === "object"
      ? (single as { generated_text?: unknown }).generated_text
      : undefined;
  const json = <pre class="json">{JSON.stringify(value, null, 2).slice(0, 20_000)}</pre>;
  if (typeof text !== "string") return json;
  return (
    <>
      <p class="generated">{text || "(no text)"}</p>
      <details>
        <summary>Whole answer (JSON)</summary>
        {json}
      </details>
    </>
  );
}

function Snippets({ id, task }: { id: string; task: string | undefined }) {
  const list = snippets({ base: location.origin, id, task });
  const [selected, setSelected] = useState(list[0]!.key);
  const current = list.find((snippet) => snippet.key === selected) ?? list[0]!;
  return (
    <div class="snippets">
      <h3 id="snippets-heading">Use this model</h3>
      <div role="tablist" aria-labelledby="snippets-heading" class="tabs small">
        {list.map((snippet) => (
          <button
            key={snippet.key}
            type="button"
            role="tab"
            id={`snippet-tab-${snippet.key}`}
            aria-selected={snippet.key === current.key}
            aria-controls="snippet-panel"
            tabIndex={snippet.key === current.key ? 0 : -1}
            onClick={() => setSelected(snippet.key)}
            onKeyDown={(event) => {
              const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
              if (!step) return;
              event.preventDefault();
              const index = list.indexOf(snippet);
              const next = list[(index + step + list.length) % list.length]!;
              setSelected(next.key);
              document.getElementById(`snippet-tab-${next.key}`)?.focus();
            }}
          >
            {snippet.language}: {snippet.client}
          </button>
        ))}
      </div>
      <div id="snippet-panel" role="tabpanel" aria-labelledby={`snippet-tab-${current.key}`} class="snippet">
        <CopyButton text={current.code} label={`Copy the ${current.client} snippet`} />
        <pre>
          <code>{current.code}</code>
        </pre>
      </div>
    </div>
  );
}
