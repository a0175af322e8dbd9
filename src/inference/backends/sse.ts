/**
 * The `data:` payloads of a server-sent event stream, in order, until `[DONE]` or the end of the body.
 * Comments (keep-alives) and other fields are skipped. Returns whether `[DONE]` was seen via `done()`.
 */
export async function* readEventData(body: ReadableStream<Uint8Array>): AsyncGenerator<string, boolean> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.search(/\r?\n\r?\n/);
      while (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        const data = event
          .split(/\r?\n/)
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).replace(/^ /, ""))
          .join("\n");
        if (data === "[DONE]") return true;
        if (data !== "") yield data;
        end = buffer.search(/\r?\n\r?\n/);
      }
    }
    return false;
  } finally {
    reader.cancel().catch(() => {});
  }
}
