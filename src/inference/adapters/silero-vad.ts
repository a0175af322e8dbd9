import type * as Ort from "onnxruntime-node";
import { badRequest } from "../../core/errors.ts";
import {
  type InferenceCall,
  type LoadedModel,
  type LoadOptions,
  type ModelLoader,
  type ModelRuntimeInfo,
  type ModelSource,
  modelKey,
} from "../runtime/model-loader.ts";
import {
  readVoiceActivityInputs,
  readVoiceActivityParameters,
  type SpeechSegment,
  VOICE_ACTIVITY_DETECTION,
  type VoiceActivityParameters,
} from "../tasks/voice-activity-detection.ts";
import { resampleLinear } from "./decode-wav.ts";
import { loadOnnxRuntime, type OnnxRuntime } from "./lazy-modules.ts";
import { configuredFile, filesSize, loadFailure, modelConfig, throwIfAborted } from "./onnx-files.ts";

export const SILERO_MODEL_TYPE = "silero_vad";

/** Silero v5 at 16 kHz reads 512-sample windows, preceded by the last 64 samples of the previous window. */
const SAMPLING_RATE = 16000;
const WINDOW = 512;
const CONTEXT = 64;
const STATE_SIZE = 2 * 1 * 128;

/** Speech probability of every 512-sample window, the recurrent state carried from one window to the next. */
async function windowProbabilities(
  ort: OnnxRuntime,
  session: Ort.InferenceSession,
  samples: Float32Array,
  signal: AbortSignal,
): Promise<Float32Array> {
  const windows = Math.ceil(samples.length / WINDOW);
  const probabilities = new Float32Array(windows);
  const sr = new ort.Tensor("int64", BigInt64Array.from([BigInt(SAMPLING_RATE)]), []);
  let state: Ort.Tensor = new ort.Tensor("float32", new Float32Array(STATE_SIZE), [2, 1, 128]);
  const frame = new Float32Array(CONTEXT + WINDOW);
  for (let w = 0; w < windows; w++) {
    if (w % 64 === 0) throwIfAborted(signal);
    // The context is the tail of the previous window (zeros before the first); the last window is zero-padded.
    frame.copyWithin(0, WINDOW, WINDOW + CONTEXT);
    if (w === 0) frame.fill(0, 0, CONTEXT);
    frame.fill(0, CONTEXT);
    frame.set(samples.subarray(w * WINDOW, Math.min((w + 1) * WINDOW, samples.length)), CONTEXT);
    const input = new ort.Tensor("float32", frame.slice(), [1, CONTEXT + WINDOW]);
    const result = await session.run({ input, state, sr });
    probabilities[w] = (result.output!.data as Float32Array)[0]!;
    state = result.stateN as Ort.Tensor;
  }
  return probabilities;
}

/**
 * Turns window probabilities into segments with hysteresis, as Silero's reference `get_speech_timestamps`
 * does: a segment starts at `threshold`, ends only after `min_silence` below `threshold - 0.15`, is dropped
 * when shorter than `min_speech`, then padded on both sides without overlapping its neighbours.
 */
export function speechSegments(
  probabilities: Float32Array,
  totalSamples: number,
  parameters: VoiceActivityParameters,
): SpeechSegment[] {
  const perMs = SAMPLING_RATE / 1000;
  const minSpeech = parameters.minSpeechDurationMs * perMs;
  const minSilence = parameters.minSilenceDurationMs * perMs;
  const pad = parameters.speechPadMs * perMs;
  const low = Math.max(parameters.threshold - 0.15, 0.01);
  const found: Array<{ start: number; end: number }> = [];
  let start = -1;
  let silenceSince = -1;
  for (let w = 0; w < probabilities.length; w++) {
    const p = probabilities[w]!;
    const at = w * WINDOW;
    if (p >= parameters.threshold) {
      silenceSince = -1;
      if (start < 0) start = at;
      continue;
    }
    if (start < 0 || p >= low) continue;
    if (silenceSince < 0) silenceSince = at;
    if (at - silenceSince < minSilence) continue;
    if (silenceSince - start >= minSpeech) found.push({ start, end: silenceSince });
    start = -1;
    silenceSince = -1;
  }
  if (start >= 0 && totalSamples - start >= minSpeech) found.push({ start, end: totalSamples });

  return found.map((segment, i) => {
    const previous = found[i - 1];
    const next = found[i + 1];
    const padStart = previous ? Math.min(pad, (segment.start - previous.end) / 2) : pad;
    const padEnd = next ? Math.min(pad, (next.start - segment.end) / 2) : pad;
    const first = Math.floor(segment.start / WINDOW);
    const last = Math.max(first + 1, Math.ceil(segment.end / WINDOW));
    let sum = 0;
    for (let w = first; w < last; w++) sum += probabilities[w] ?? 0;
    return {
      start: round3(Math.max(0, segment.start - padStart) / SAMPLING_RATE),
      end: round3(Math.min(totalSamples, segment.end + padEnd) / SAMPLING_RATE),
      score: round3(sum / (last - first)),
    };
  });
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * The session options of every Silero session. The graph is tiny and runs window by window: more threads
 * only add wake-ups per window, so the runtime's thread setting (HANGAR_INFERENCE_THREADS) is not used.
 */
const SESSION_OPTIONS: Ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: "all",
};

class SileroVadModel implements LoadedModel {
  readonly tasks = [VOICE_ACTIVITY_DETECTION];
  readonly runtime: ModelRuntimeInfo = { sessionOptions: SESSION_OPTIONS, warmedUp: true };

  constructor(
    readonly key: string,
    readonly memoryBytes: number,
    private readonly ort: OnnxRuntime,
    private readonly session: Ort.InferenceSession,
  ) {}

  async run(call: InferenceCall): Promise<SpeechSegment[]> {
    if (call.task !== VOICE_ACTIVITY_DETECTION) {
      throw badRequest(`This model does ${VOICE_ACTIVITY_DETECTION}, not ${call.task}`);
    }
    const parameters = readVoiceActivityParameters(call.parameters);
    const audio = resampleLinear(readVoiceActivityInputs(call.inputs, call.parameters), SAMPLING_RATE);
    throwIfAborted(call.signal);
    // Each call carries its own recurrent state, so concurrent calls may share the session.
    const probabilities = await windowProbabilities(this.ort, this.session, audio.samples, call.signal);
    return speechSegments(probabilities, audio.samples.length, parameters);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

export const sileroVadLoader: ModelLoader = {
  name: "silero-vad",
  tasksFor(source: ModelSource): string[] {
    return modelConfig(source).model_type === SILERO_MODEL_TYPE ? [VOICE_ACTIVITY_DETECTION] : [];
  },
  async load(source: ModelSource, _options: LoadOptions): Promise<LoadedModel> {
    try {
      const path = configuredFile(source, "model_file", "silero_vad.onnx");
      const ort = await loadOnnxRuntime();
      const session = await ort.InferenceSession.create(await source.localPath(path), SESSION_OPTIONS);
      const missing = ["input", "state", "sr"].filter((name) => !session.inputNames.includes(name));
      if (missing.length > 0) {
        await session.release();
        throw new Error(`${path} is not a Silero VAD v5 graph (missing inputs ${missing.join(", ")})`);
      }
      // Warm-up: one window of silence (a fraction of a millisecond), so the first request does not pay
      // for onnxruntime's first-run allocations; it also proves the graph runs before the model is listed.
      await windowProbabilities(ort, session, new Float32Array(WINDOW), new AbortController().signal).catch(
        async (error: unknown) => {
          await session.release();
          throw error;
        },
      );
      return new SileroVadModel(
        modelKey(source),
        4 * filesSize(source, [path]) + 8 * 1024 * 1024,
        ort,
        session,
      );
    } catch (error) {
      throw loadFailure(source, error);
    }
  },
};
