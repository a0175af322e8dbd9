import type { IncomingMessage, ServerResponse } from "node:http";
import { HangarError } from "../core/errors.ts";
import type { ServerTimeouts } from "../core/server-config.ts";
import { sendError } from "./http.ts";

export interface WatchRequestBodyParams {
  request: IncomingMessage;
  response: ServerResponse;
  timeouts: Pick<ServerTimeouts, "bodyWindowMs" | "minBodyBytesPerSecond">;
}

/**
 * Closes the connection of a request whose body stalls or trickles: over each window, the body must bring
 * `minBodyBytesPerSecond` for every second the server was ready to read. A total time limit would cut off a
 * large upload on a slow link; a rate does not, whatever the size. Bytes are counted on the socket, so the
 * watch works whoever reads the body and however (stream, pipe, buffer), and it never consumes any of it.
 * Time the socket spends paused because the server is not reading (its buffer is full while it hashes or
 * writes to disk) is not the client's, so it is left out.
 */
export function watchRequestBody(params: WatchRequestBodyParams): void {
  // A request without a body has nothing to wait for; nor has one whose body came in the read that brought
  // its headers (most small requests), which is known on the next tick, once the parser is through that read.
  if (params.request.complete) return;
  process.nextTick(watch, params);
}

function watch(params: WatchRequestBodyParams): void {
  const { request, response, timeouts } = params;
  if (request.complete || request.destroyed) return;
  const socket = request.socket;
  let windowStart = Date.now();
  let bytesAtWindowStart = socket.bytesRead;
  let pausedSince: number | undefined = socket.isPaused() ? windowStart : undefined;
  let pausedMs = 0;
  const onPause = () => {
    pausedSince ??= Date.now();
  };
  const onResume = () => {
    if (pausedSince !== undefined) pausedMs += Date.now() - pausedSince;
    pausedSince = undefined;
  };
  const stop = () => {
    clearInterval(timer);
    socket.off("pause", onPause);
    socket.off("resume", onResume);
  };
  const check = () => {
    if (request.complete || socket.destroyed) return stop();
    const now = Date.now();
    if (pausedSince !== undefined) {
      pausedMs += now - pausedSince;
      pausedSince = now;
    }
    const readyMs = Math.max(0, now - windowStart - pausedMs);
    const received = socket.bytesRead - bytesAtWindowStart;
    windowStart = now;
    bytesAtWindowStart = socket.bytesRead;
    pausedMs = 0;
    // A window in which the server was ready for less than half the time is not judged: too short to say.
    if (readyMs < timeouts.bodyWindowMs / 2) return;
    if (received >= (timeouts.minBodyBytesPerSecond * readyMs) / 1000) return;
    stop();
    const error = new HangarError(
      "HANGAR_ERR_REQUEST_TIMEOUT",
      `The request body came slower than ${timeouts.minBodyBytesPerSecond} bytes per second, so the connection was closed`,
      { headers: { Connection: "close" } },
    );
    if (!response.headersSent) sendError(response, error);
    // Destroying the request (not only its socket) fails whoever reads the body with this error: once the
    // response has ended, Node no longer aborts the request when its socket closes, and a reader would wait
    // for the rest of the body for ever.
    request.destroy(error);
  };
  const timer = setInterval(check, timeouts.bodyWindowMs);
  timer.unref();
  socket.on("pause", onPause);
  socket.on("resume", onResume);
  request.once("end", stop);
  request.once("close", stop);
}
