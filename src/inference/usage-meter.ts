import type { UsageEvent } from "../core/catalog-types.ts";
import { HangarError } from "../core/errors.ts";
import { nowIso } from "../core/time.ts";
import type { HubContext } from "../hub/hub.ts";
import type { CallMeter } from "./backend.ts";
import type { UsageCharge } from "./inference-gate.ts";
import type { InferenceRequest, InferenceUsage } from "./inference-types.ts";

/** The status metered (and logged) for a request whose client went away, as nginx records it. */
export const CLIENT_CLOSED = 499;

const USAGE_FLUSH_MS = 250;
const USAGE_FLUSH_COUNT = 200;

export interface MeteredOutcome extends InferenceUsage {
  status: number;
  inputBytes: number;
  outputBytes: number;
  error?: HangarError;
  cancelled?: boolean;
  batchSize?: number;
  /** The call's cost and who it is billed to (src/governance/budgets), when a gate priced it. */
  charge?: UsageCharge;
}

/** Usage events of every inference call, whatever backend ran it, buffered and written in batches. */
export class UsageMeter {
  private readonly pending: UsageEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly hub: HubContext) {}

  async record(request: InferenceRequest, meter: CallMeter, values: MeteredOutcome): Promise<void> {
    this.hub.telemetry?.inferenceRun({
      model: meter.model,
      task: meter.task ?? "unknown",
      ms: values.latency_ms,
      status: values.cancelled ? CLIENT_CLOSED : values.status,
      batchSize: values.batchSize ?? 1,
      ...(values.charge ?? {}),
    });
    if (this.closed) return;
    const code = values.error?.code;
    this.pending.push({
      at: nowIso(),
      model: meter.model,
      revision: meter.revision,
      task: meter.task,
      api: request.api,
      caller: request.caller?.user ?? null,
      inputUnits: values.input_units,
      outputUnits: values.output_units,
      unit: values.unit,
      outputUnit: values.output_unit,
      inputBytes: values.inputBytes,
      outputBytes: values.outputBytes,
      latencyMs: values.latency_ms,
      status: values.status,
      outcome: values.cancelled
        ? "cancelled"
        : code === undefined
          ? "ok"
          : code === "HANGAR_ERR_RATE_LIMITED"
            ? "rate_limited"
            : code === "HANGAR_ERR_TIMEOUT"
              ? "timeout"
              : values.status === CLIENT_CLOSED
                ? "cancelled"
                : "error",
      errorCode: code ?? null,
      batchSize: values.batchSize ?? 1,
      ...(values.charge ?? {}),
    });
    if (this.pending.length >= USAGE_FLUSH_COUNT) await this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), USAGE_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes buffered usage events in one transaction. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.pending.splice(0);
    // Writes go one after another, and a flush returns once every event recorded before it is written
    // (one the timer started is still under way: reports and estimates read right after must see it).
    const write = this.writing.then(() =>
      events.length > 0 ? this.hub.catalog.usage.recordMany(events) : undefined,
    );
    this.writing = write.catch(() => undefined);
    await write;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}

export function inputBytes(request: InferenceRequest): number {
  return Buffer.byteLength(JSON.stringify(request.body ?? { inputs: request.inputs }) ?? "");
}

/** Errors as HangarErrors: timeouts 504, a client that went away 499, anything unknown 500. */
export function asFailure(error: unknown, clientSignal: AbortSignal | undefined): HangarError {
  if (HangarError.isInstance(error)) return error;
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return new HangarError("HANGAR_ERR_TIMEOUT", "The inference request took too long and was stopped");
  }
  if (clientSignal?.aborted) {
    return new HangarError("HANGAR_ERR_BAD_REQUEST", "The client closed the request", {
      status: CLIENT_CLOSED,
    });
  }
  return new HangarError("HANGAR_ERR_INTERNAL", `Inference failed: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}
