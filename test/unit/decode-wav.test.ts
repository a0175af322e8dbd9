import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeWav, resampleLinear } from "../../src/inference/adapters/decode-wav.ts";

describe("audio and vision models shipped by npm packages", () => {
  describe("WAV decoding", () => {
    /** A WAV header around `data`, with a 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk when `subFormat` is set. */
    const wav = (
      format: { tag: number; channels: number; rate: number; bits: number; subFormat?: number },
      data: Buffer,
      declared = data.byteLength,
    ) => {
      const fmt = Buffer.alloc(format.subFormat === undefined ? 16 : 40);
      fmt.writeUInt16LE(format.tag, 0);
      fmt.writeUInt16LE(format.channels, 2);
      fmt.writeUInt32LE(format.rate, 4);
      fmt.writeUInt32LE((format.rate * format.channels * format.bits) / 8, 8);
      fmt.writeUInt16LE((format.channels * format.bits) / 8, 12);
      fmt.writeUInt16LE(format.bits, 14);
      if (format.subFormat !== undefined) {
        fmt.writeUInt16LE(22, 16);
        fmt.writeUInt16LE(format.bits, 18);
        fmt.writeUInt16LE(format.subFormat, 24);
      }
      const chunk = (id: string, body: Buffer, size = body.byteLength) => {
        const head = Buffer.alloc(8);
        head.write(id, 0, "latin1");
        head.writeUInt32LE(size, 4);
        return Buffer.concat([head, body]);
      };
      const list = chunk("LIST", Buffer.from("INFOjunk"));
      const body = Buffer.concat([
        Buffer.from("WAVE"),
        chunk("fmt ", fmt),
        list,
        chunk("data", data, declared),
      ]);
      return Buffer.concat([chunk("RIFF", Buffer.alloc(0), body.byteLength), body]);
    };

    it("reads 8-bit, 24-bit extensible stereo and streamed (length 0) files, skipping other chunks", () => {
      const eight = decodeWav(wav({ tag: 1, channels: 1, rate: 8000, bits: 8 }, Buffer.from([128, 192, 64])));
      assert.deepEqual(Array.from(eight.samples), [0, 0.5, -0.5]);
      // Left +0.5 and right -0.25 in 24-bit: the downmix is their mean.
      const frame = Buffer.alloc(6);
      frame.writeIntLE(0x400000, 0, 3);
      frame.writeIntLE(-0x200000, 3, 3);
      const stereo = decodeWav(wav({ tag: 0xfffe, channels: 2, rate: 44100, bits: 24, subFormat: 1 }, frame));
      assert.deepEqual(Array.from(stereo.samples), [0.125]);
      assert.equal(stereo.samplingRate, 44100);
      const streamed = decodeWav(wav({ tag: 1, channels: 1, rate: 16000, bits: 16 }, Buffer.alloc(20), 0));
      assert.equal(streamed.samples.length, 10);
      assert.equal(resampleLinear(streamed, 8000).samples.length, 5);
    });
  });
});
