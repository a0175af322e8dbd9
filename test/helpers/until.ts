import assert from "node:assert/strict";

export interface PollOptions {
  /** Give up after this long (default 5 s). */
  ms?: number;
  /** Wait this long between checks (default 25 ms). */
  every?: number;
}

/** Polls until `check` holds (state decides, not a fixed sleep); fails naming `what` after `ms`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  { ms = 5_000, every = 25 }: PollOptions = {},
): Promise<void> {
  await untilValue(async () => ((await check()) ? true : undefined), what, { ms, every });
}

/** Polls `read` until it gives a value (anything but undefined) and returns it; fails naming `what` after `ms`. */
export async function untilValue<T>(
  read: () => T | undefined | Promise<T | undefined>,
  what: string,
  { ms = 5_000, every = 25 }: PollOptions = {},
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
