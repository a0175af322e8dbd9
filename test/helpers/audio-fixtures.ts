import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { makeTempDir } from "./test-hangar.ts";

/** Mono 16-bit PCM samples with their rate. */
export interface Pcm16 {
  samples: Int16Array;
  rate: number;
}

/**
 * Speech synthesised by espeak-ng (a system package: `apt-get install espeak-ng`), read from the WAV it writes.
 * Written to a file rather than stdout so the header carries real lengths.
 */
export async function speak(text: string): Promise<Pcm16> {
  const temp = await makeTempDir("hangar-espeak-");
  try {
    const path = join(temp.path, "speech.wav");
    await promisify(execFile)("espeak-ng", ["-w", path, text]);
    return readPcm16Wav(await readFile(path));
  } finally {
    await temp.remove();
  }
}

/** A mono 16-bit PCM WAV's samples; walks the chunks instead of assuming a 44-byte header. */
export function readPcm16Wav(bytes: Buffer): Pcm16 {
  let offset = 12;
  let rate = 0;
  while (offset + 8 <= bytes.byteLength) {
    const id = bytes.toString("latin1", offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === "fmt ") {
      if (bytes.readUInt16LE(offset + 8) !== 1 || bytes.readUInt16LE(offset + 10) !== 1) {
        throw new Error("expected mono PCM");
      }
      rate = bytes.readUInt32LE(offset + 12);
    } else if (id === "data") {
      const length = Math.min(size, bytes.byteLength - offset - 8) >> 1;
      const samples = new Int16Array(length);
      for (let i = 0; i < length; i++) samples[i] = bytes.readInt16LE(offset + 8 + 2 * i);
      return { samples, rate };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}

/** The audio with `seconds` of digital silence added before and after. */
export function padWithSilence(audio: Pcm16, seconds: number): Pcm16 {
  const pad = Math.round(seconds * audio.rate);
  const samples = new Int16Array(audio.samples.length + 2 * pad);
  samples.set(audio.samples, pad);
  return { samples, rate: audio.rate };
}

/** First and last moments (seconds) where the amplitude exceeds 1% of full scale: where the sound is. */
export function soundBounds(audio: Pcm16): { start: number; end: number } {
  const limit = 0.01 * 32768;
  let first = -1;
  let last = -1;
  for (let i = 0; i < audio.samples.length; i++) {
    if (Math.abs(audio.samples[i]!) > limit) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return { start: first / audio.rate, end: (last + 1) / audio.rate };
}

/** Low-level deterministic hiss (about -60 dBFS), like a quiet room, rather than exact zeros. */
export function roomTone(seconds: number, rate: number): Pcm16 {
  const samples = new Int16Array(Math.round(seconds * rate));
  let seed = 12345;
  for (let i = 0; i < samples.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    samples[i] = Math.round(((seed / 0x7fffffff) * 2 - 1) * 32);
  }
  return { samples, rate };
}

/** A RIFF/WAVE file: 16-bit PCM, or 32-bit float when `float` is set; `channels` copies of the signal. */
export function wavBytes(audio: Pcm16, options: { float?: boolean; channels?: number } = {}): Buffer {
  const channels = options.channels ?? 1;
  const bytesPerSample = options.float ? 4 : 2;
  const data = Buffer.alloc(audio.samples.length * channels * bytesPerSample);
  for (let i = 0; i < audio.samples.length; i++) {
    for (let c = 0; c < channels; c++) {
      const at = (i * channels + c) * bytesPerSample;
      if (options.float) data.writeFloatLE(audio.samples[i]! / 32768, at);
      else data.writeInt16LE(audio.samples[i]!, at);
    }
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + data.byteLength, 4);
  header.write("WAVEfmt ", 8, "latin1");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(options.float ? 3 : 1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(audio.rate, 24);
  header.writeUInt32LE(audio.rate * channels * bytesPerSample, 28);
  header.writeUInt16LE(channels * bytesPerSample, 32);
  header.writeUInt16LE(bytesPerSample * 8, 34);
  header.write("data", 36, "latin1");
  header.writeUInt32LE(data.byteLength, 40);
  return Buffer.concat([header, data]);
}
