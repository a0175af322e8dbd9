/** The UI's client of Hangar's HTTP API: the same routes every other client uses, on this server. */

const TOKEN_KEY = "hangar.token";

export function storedToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? "";
  } catch {
    return "";
  }
}

export function storeToken(token: string): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage refused (private mode): the token lasts for this page only.
  }
}

/** An answer other than 2xx, with the server's message and stable code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = storedToken();
  return { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

async function errorOf(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    const text =
      typeof body.error === "object" && body.error
        ? (body.error as { message?: unknown }).message
        : body.error;
    if (typeof text === "string") message = text;
    else if (typeof body.message === "string") message = body.message;
  } catch {
    // Not JSON: the status line says enough.
  }
  return new ApiError(message, response.status, response.headers.get("x-error-code") ?? undefined);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { headers: headers(), ...(signal ? { signal } : {}) });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** One page of a Hub listing (`/api/models?...`) and the total it counts (`X-Total-Count`, when sent). */
export async function getListing<T>(
  path: string,
  signal?: AbortSignal,
): Promise<{ items: T[]; total: number | null }> {
  const response = await fetch(path, { headers: headers(), ...(signal ? { signal } : {}) });
  if (!response.ok) throw await errorOf(response);
  const total = Number(response.headers.get("x-total-count") ?? Number.NaN);
  return { items: (await response.json()) as T[], total: Number.isFinite(total) ? total : null };
}

export async function getText(path: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(path, { headers: headers({ accept: "*/*" }), ...(signal ? { signal } : {}) });
  if (!response.ok) throw await errorOf(response);
  return response.text();
}

export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, {
    method: "POST",
    headers: headers({ "content-type": "application/json" }),
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** Posts raw bytes (an image or audio file), as `@huggingface/inference` does for those tasks. */
export async function postFile<T>(path: string, file: Blob): Promise<T> {
  const response = await fetch(path, {
    method: "POST",
    headers: headers({ "content-type": file.type || "application/octet-stream" }),
    body: file,
  });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** Posts JSON and calls `onEvent` with each server-sent event's data, parsed. */
export async function postStream(
  path: string,
  body: unknown,
  onEvent: (data: unknown) => void,
  signal?: AbortSignal,
): Promise<void> {
  const response = await fetch(path, {
    method: "POST",
    headers: headers({ "content-type": "application/json", accept: "text/event-stream" }),
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok || !response.body) throw await errorOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data && data !== "[DONE]") onEvent(JSON.parse(data));
      }
      end = buffer.indexOf("\n\n");
    }
  }
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.code ? `${error.message} (${error.code})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

export const isAbort = (error: unknown): boolean =>
  error instanceof DOMException && error.name === "AbortError";
