import { badRequest } from "../../core/errors.ts";
import { type DecodedAudio, decodeWav } from "../adapters/decode-wav.ts";
import { base64Head, mediaBytes, sniffMedia } from "../adapters/media-input.ts";
import {
  countRecords,
  definedOnly,
  isRecord,
  MEDIA_REQUEST_BYTES,
  numberOrDefault,
  type TaskDefinition,
} from "./task-definition.ts";

/**
 * voice-activity-detection: where in a recording someone speaks.
 *
 * inputs: a WAV file (PCM 8/16/24/32-bit or float 32/64, any channel count, any rate from 1 to 384 kHz), sent
 *   as the raw request body on the Hub route or base64 in `inputs` of a JSON body; or an array of float
 *   samples in [-1, 1] with `parameters.sampling_rate`.
 * parameters: `threshold` (0.5; speech probability at which a segment starts), `min_speech_duration_ms` (250;
 *   shorter segments are dropped), `min_silence_duration_ms` (100; shorter pauses do not end a segment),
 *   `speech_pad_ms` (30; added to each side), `sampling_rate` (for sample arrays; 16000).
 * output: `[{start, end, score}]`: segments in seconds from the start of the audio, in order, with the mean
 *   speech probability of the segment.
 */
export const VOICE_ACTIVITY_DETECTION = "voice-activity-detection";

export interface VoiceActivityParameters {
  threshold: number;
  minSpeechDurationMs: number;
  minSilenceDurationMs: number;
  speechPadMs: number;
}

export interface SpeechSegment {
  /** Seconds. */
  start: number;
  end: number;
  /** Mean speech probability over the segment. */
  score: number;
}

export type VoiceActivityDetectionOutput = SpeechSegment[];

/** The longest audio one call takes, so a request cannot hold a model for hours. */
export const MAX_AUDIO_SECONDS = 3600;

const KNOWN_PARAMETERS = new Set([
  "threshold",
  "min_speech_duration_ms",
  "min_silence_duration_ms",
  "speech_pad_ms",
  "sampling_rate",
]);

export function readVoiceActivityParameters(parameters: Record<string, unknown>): VoiceActivityParameters {
  for (const name of Object.keys(parameters)) {
    if (!KNOWN_PARAMETERS.has(name)) {
      throw badRequest(
        `Unknown parameter "${name}" for voice-activity-detection (known: ${[...KNOWN_PARAMETERS].join(", ")})`,
      );
    }
  }
  return {
    threshold: numberOrDefault(parameters, "threshold", 0.5, { min: 0.01, max: 0.99 }),
    minSpeechDurationMs: numberOrDefault(parameters, "min_speech_duration_ms", 250, { min: 0, max: 60000 }),
    minSilenceDurationMs: numberOrDefault(parameters, "min_silence_duration_ms", 100, { min: 0, max: 60000 }),
    speechPadMs: numberOrDefault(parameters, "speech_pad_ms", 30, { min: 0, max: 10000 }),
  };
}

function isDecodedAudio(value: unknown): value is DecodedAudio {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as DecodedAudio).samples instanceof Float32Array &&
    typeof (value as DecodedAudio).samplingRate === "number"
  );
}

/** The audio of a call, decoded; a broken file or bad sample array is a 400 with the reason. */
export function readVoiceActivityInputs(inputs: unknown, parameters: Record<string, unknown>): DecodedAudio {
  let audio: DecodedAudio;
  if (isDecodedAudio(inputs)) {
    audio = inputs;
  } else if (Array.isArray(inputs)) {
    const rate = numberOrDefault(parameters, "sampling_rate", 16000, { min: 1000, max: 384000 });
    if (inputs.length === 0) throw badRequest("inputs is an empty array of samples");
    const samples = new Float32Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const value = inputs[i];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw badRequest(`inputs[${i}] is not a number: send audio samples as numbers in [-1, 1]`);
      }
      samples[i] = value;
    }
    audio = { samples, samplingRate: Math.round(rate) };
  } else {
    audio = decodeWav(mediaBytes(inputs, "audio"));
  }
  const seconds = audio.samples.length / audio.samplingRate;
  if (seconds > MAX_AUDIO_SECONDS) {
    throw badRequest(`The audio is ${Math.round(seconds)} s long; at most ${MAX_AUDIO_SECONDS} s per call`);
  }
  return audio;
}

/**
 * The task as the runtime serves it. `parse` decodes the audio up front, so a broken file is a 400 before any
 * model is loaded; the model then receives `{samples, samplingRate}`.
 */
export const voiceActivityDetectionTask: TaskDefinition = {
  task: VOICE_ACTIVITY_DETECTION,
  summary: "Finds the segments of a recording where someone speaks",
  truncates: false,
  maxRequestBytes: MEDIA_REQUEST_BYTES,
  outputUnit: "segments",
  countOutput: countRecords,
  parse(inputs, parameters) {
    readVoiceActivityParameters(parameters);
    return {
      inputs: readVoiceActivityInputs(inputs, parameters),
      parameters: definedOnly({
        threshold: parameters.threshold ?? undefined,
        min_speech_duration_ms: parameters.min_speech_duration_ms ?? undefined,
        min_silence_duration_ms: parameters.min_silence_duration_ms ?? undefined,
        speech_pad_ms: parameters.speech_pad_ms ?? undefined,
      }),
    };
  },
  matchBody(body) {
    const inputs = body.inputs;
    if (inputs instanceof Uint8Array) return sniffMedia(inputs) === "wav" ? 2 : 1;
    if (typeof inputs === "string") return sniffMedia(base64Head(inputs)) === "wav" ? 2 : 1;
    if (Array.isArray(inputs)) {
      const parameters = isRecord(body.parameters) ? body.parameters : {};
      return "sampling_rate" in parameters ? 2 : 1;
    }
    return 0;
  },
  // Audio has no characters to count: its requests are metered by their bytes.
  inputText: () => [],
  inputFromFile: (bytes) => bytes,
};
