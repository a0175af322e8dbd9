import assert from "node:assert/strict";
import { HangarError } from "../../src/core/errors.ts";
import { importPackagedModels } from "../../src/inference/adapters/packaged-models.ts";
import { type Pcm16, padWithSilence, soundBounds, speak, wavBytes } from "./audio-fixtures.ts";
import { startTestHangar, type TestHangar } from "./test-hangar.ts";

/**
 * How far a detected segment edge may be from where the synthetic speech starts or ends. Silero judges 32 ms
 * windows and the segments are padded by 30 ms; the rest is the model deciding that a fading syllable is
 * still speech. 0.3 s is far below the 1 s of silence around the speech, so a wrong answer cannot pass.
 */
export const EDGE_TOLERANCE_S = 0.3;

export async function rejectsWith400(work: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(HangarError.isInstance(error), `expected a HangarError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.match(error.message, reason);
    return true;
  });
}

/** A hub with the models shipped by npm packages (Silero VAD, PaddleOCR) imported into it. */
export async function startPackagedModelsHub(): Promise<TestHangar> {
  const hub = await startTestHangar();
  assert.deepEqual(await importPackagedModels(hub.hangar), [
    { repo: "hangar/silero-vad", status: "created" },
    { repo: "hangar/paddleocr", status: "created" },
  ]);
  return hub;
}

/** A spoken sentence, the same with 1 s of silence on each side as WAV bytes, and where its sound is. */
export async function spokenSample(): Promise<{
  speech: Pcm16;
  paddedSpeech: Buffer;
  expected: { start: number; end: number };
}> {
  const speech = await speak("Hangar runs models offline, with no network at all.");
  const padded = padWithSilence(speech, 1);
  return { speech, paddedSpeech: wavBytes(padded), expected: soundBounds(padded) };
}

/** POSTs `body` (raw when a Buffer, else as JSON) to `path` on the hub with its admin token. */
export function postAsAdmin(
  hub: TestHangar,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${hub.url}${path}`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${hub.adminToken}`,
      ...(Buffer.isBuffer(body) ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}
