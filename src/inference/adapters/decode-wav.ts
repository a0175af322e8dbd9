import { badRequest } from "../../core/errors.ts";

/** Mono audio as float samples in [-1, 1]. */
export interface DecodedAudio {
  samples: Float32Array;
  samplingRate: number;
}

export interface WavFormat {
  /** 1 = integer PCM, 3 = IEEE float (WAVE_FORMAT_EXTENSIBLE is reduced to one of these). */
  encoding: "pcm" | "float";
  channels: number;
  samplingRate: number;
  bitsPerSample: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function brokenWav(reason: string): never {
  throw badRequest(`Invalid audio: ${reason}`);
}

/** Names the compressed formats people send by mistake, so the 400 says what the file is. */
function otherAudioFormat(buffer: Buffer): string | undefined {
  const head = buffer.toString("latin1", 0, 4);
  if (head === "fLaC") return "it is FLAC";
  if (head === "OggS") return "it is Ogg";
  if (head.startsWith("ID3") || (buffer[0] === 0xff && (buffer[1]! & 0xe0) === 0xe0))
    return "it looks like MP3";
  if (buffer.toString("latin1", 4, 8) === "ftyp") return "it is MP4/M4A";
  return undefined;
}

function readFormat(chunk: Buffer): WavFormat {
  if (chunk.byteLength < 16) brokenWav(`the "fmt " chunk is ${chunk.byteLength} bytes, expected at least 16`);
  let tag = chunk.readUInt16LE(0);
  const channels = chunk.readUInt16LE(2);
  const samplingRate = chunk.readUInt32LE(4);
  const bitsPerSample = chunk.readUInt16LE(14);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    // The real format is the first two bytes of the sub-format GUID, after cbSize, validBits and channelMask.
    if (chunk.byteLength < 26) brokenWav("the WAVE_FORMAT_EXTENSIBLE header is truncated");
    tag = chunk.readUInt16LE(24);
  }
  if (channels < 1) brokenWav("the header declares 0 channels");
  if (samplingRate < 1000 || samplingRate > 384000) {
    brokenWav(`unsupported sampling rate ${samplingRate} Hz (1000 to 384000 Hz are accepted)`);
  }
  if (tag === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) {
    return { encoding: "pcm", channels, samplingRate, bitsPerSample };
  }
  if (tag === WAVE_FORMAT_IEEE_FLOAT && (bitsPerSample === 32 || bitsPerSample === 64)) {
    return { encoding: "float", channels, samplingRate, bitsPerSample };
  }
  const name =
    tag === WAVE_FORMAT_PCM
      ? `${bitsPerSample}-bit integer PCM`
      : tag === WAVE_FORMAT_IEEE_FLOAT
        ? `${bitsPerSample}-bit float`
        : `format tag 0x${tag.toString(16).padStart(4, "0")}`;
  brokenWav(
    `unsupported encoding ${name}; send PCM (8, 16, 24 or 32-bit integer, or 32/64-bit float) WAV audio`,
  );
}

function sampleReader(format: WavFormat, data: Buffer): (offset: number) => number {
  if (format.encoding === "float") {
    return format.bitsPerSample === 32 ? (o) => data.readFloatLE(o) : (o) => data.readDoubleLE(o);
  }
  switch (format.bitsPerSample) {
    case 8:
      return (o) => (data[o]! - 128) / 128;
    case 16:
      return (o) => data.readInt16LE(o) / 32768;
    case 24:
      return (o) => data.readIntLE(o, 3) / 8388608;
    default:
      return (o) => data.readInt32LE(o) / 2147483648;
  }
}

/**
 * Reads a RIFF/WAVE file into mono float samples at its own rate; channels are averaged. Anything that is
 * not a readable WAV is a 400 naming what is wrong.
 */
export function decodeWav(bytes: Uint8Array): DecodedAudio {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.byteLength < 12) brokenWav(`${buffer.byteLength} bytes is too short for a WAV header`);
  const riff = buffer.toString("latin1", 0, 4);
  if (riff !== "RIFF") {
    brokenWav(
      riff === "RF64" || riff === "RIFX"
        ? `${riff} WAV files are not supported; send little-endian RIFF WAV`
        : `not a WAV file (${otherAudioFormat(buffer) ?? "no RIFF header"}); send WAV audio`,
    );
  }
  if (buffer.toString("latin1", 8, 12) !== "WAVE") brokenWav("a RIFF file, but not WAVE audio");
  let format: WavFormat | undefined;
  let offset = 12;
  while (offset + 8 <= buffer.byteLength) {
    const id = buffer.toString("latin1", offset, offset + 4);
    const declared = buffer.readUInt32LE(offset + 4);
    const start = offset + 8;
    if (id === "fmt ") {
      if (start + declared > buffer.byteLength) brokenWav('the "fmt " chunk is truncated');
      format = readFormat(buffer.subarray(start, start + declared));
    } else if (id === "data") {
      if (!format) brokenWav('the "data" chunk comes before the "fmt " chunk');
      // Writers that stream (espeak-ng to a pipe, sox to stdout) cannot know the length up front and leave 0
      // or a huge placeholder; a cut-short file also overshoots. Either way, read the frames that arrived.
      const available = buffer.byteLength - start;
      const length = declared === 0 ? available : Math.min(declared, available);
      return decodeSamples(format, buffer.subarray(start, start + length));
    }
    offset = start + declared + (declared % 2);
  }
  if (!format) brokenWav('the header is truncated or has no "fmt " chunk');
  brokenWav('no "data" chunk');
}

function decodeSamples(format: WavFormat, data: Buffer): DecodedAudio {
  const bytesPerSample = format.bitsPerSample / 8;
  const frameBytes = bytesPerSample * format.channels;
  const frames = Math.floor(data.byteLength / frameBytes);
  if (frames === 0) brokenWav("the data chunk holds no audio samples");
  const read = sampleReader(format, data);
  const samples = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < format.channels; channel++) {
      sum += read(frame * frameBytes + channel * bytesPerSample);
    }
    const value = sum / format.channels;
    if (!Number.isFinite(value)) brokenWav(`sample ${frame} is not a finite number`);
    samples[frame] = value;
  }
  return { samples, samplingRate: format.samplingRate };
}

/** Linear-interpolation resampling; enough for voice activity, which looks at energy below 8 kHz. */
export function resampleLinear(audio: DecodedAudio, targetRate: number): DecodedAudio {
  if (audio.samplingRate === targetRate) return audio;
  const ratio = audio.samplingRate / targetRate;
  const length = Math.max(1, Math.floor(audio.samples.length / ratio));
  const out = new Float32Array(length);
  const last = audio.samples.length - 1;
  for (let i = 0; i < length; i++) {
    const position = i * ratio;
    const left = Math.min(Math.floor(position), last);
    const right = Math.min(left + 1, last);
    const fraction = position - left;
    out[i] = audio.samples[left]! * (1 - fraction) + audio.samples[right]! * fraction;
  }
  return { samples: out, samplingRate: targetRate };
}
