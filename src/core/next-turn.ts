/** Resolves after the event loop's next turn (`setImmediate`): long work awaits it to let requests in. */
export function nextTurn(): Promise<void> {
  return new Promise((resume) => setImmediate(resume));
}
