import type { UsageEvent, UsageQuery, UsageTotals } from "../core/catalog-types.ts";
import { HangarError } from "../core/errors.ts";
import { type InferenceSettings, inferenceSettings } from "../core/inference-config.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { HubContext } from "../hub/hub.ts";
import type { BackendCall, CallMeter, InferenceBackend } from "./backend.ts";
import { RequestClock } from "./deadline.ts";
import type { GateTicket, InferenceGate, UsageCharge } from "./inference-gate.ts";
import type {
  InferenceRequest,
  InferenceResult,
  InferenceStats,
  InferenceStream,
  RunnableModel,
} from "./inference-types.ts";
import { LocalBackend } from "./local/local-backend.ts";
import { InferenceRegistry } from "./registry.ts";
import type { ResolvedModel } from "./resolve-model.ts";
import { InferenceRouter } from "./router/inference-router.ts";
import type { StreamChunk } from "./runtime/model-loader.ts";
import type { TaskDefinition } from "./tasks/task-definition.ts";
import { asFailure, CLIENT_CLOSED, inputBytes, UsageMeter } from "./usage-meter.ts";

export type {
  InferenceApi,
  InferenceRequest,
  InferenceResult,
  InferenceStats,
  InferenceStream,
  InferenceUsage,
  LoadedModelStats,
  RunnableModel,
} from "./inference-types.ts";
export { modelNotPulled } from "./resolve-model.ts";

/**
 * Hangar's inference service: every call goes to one backend (the local ONNX runtime, or a route's
 * deployments elsewhere through the router) and is wrapped the same way whatever the backend: the caller's
 * access checked, the request's deadline, and metering (tokens in and out, latency, status).
 */
export class InferenceRuntime {
  readonly registry: InferenceRegistry;
  readonly settings: InferenceSettings;
  /** Hangar's own ONNX runtime. */
  readonly local: LocalBackend;
  /** Routes from model names to deployments elsewhere (`HANGAR_ROUTES`); names without a route run locally. */
  readonly router: InferenceRouter;
  private readonly meter: UsageMeter;
  /** Budgets, token rate limits and prices every call passes (set by `createHangar`); none: free, unlimited. */
  gate: InferenceGate | undefined;
  /** Backends found by model name after the routes (inference endpoints: `endpoints/{namespace}/{name}`). */
  private readonly lookups: Array<(model: string) => InferenceBackend | undefined> = [];

  constructor(
    private readonly hub: HubContext,
    registry = new InferenceRegistry(),
  ) {
    this.registry = registry;
    this.settings = inferenceSettings(hub.config);
    this.local = new LocalBackend(hub, registry, this.settings);
    this.meter = new UsageMeter(hub);
    this.router = new InferenceRouter({ hub, local: this.local, registry });
  }

  /** The model's commit, files and loader, after the caller's access is checked. */
  resolveModel(caller: Caller, modelId: string, revision = "main"): Promise<ResolvedModel> {
    return this.local.resolveModel(caller, modelId, revision);
  }

  /** The task a request is for: the one asked for, or the one the body's shape and the model's tasks point to. */
  chooseTask(
    resolved: ResolvedModel,
    requested: string | undefined,
    body: Record<string, unknown>,
  ): TaskDefinition {
    return this.local.chooseTask(resolved, requested, body);
  }

  /** Checks every call passes whatever backend serves it. */
  private authorize(request: InferenceRequest): void {
    if (this.settings.requireToken && !request.caller) {
      throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "This Hangar requires a token for inference");
    }
  }

  /** Adds a way of finding a backend by model name, asked after the routes and before the local runtime. */
  addBackendLookup(lookup: (model: string) => InferenceBackend | undefined): void {
    this.lookups.push(lookup);
  }

  /** The backend that serves a model name: its route's, an endpoint's, or the local runtime. */
  private backendFor(model: string): InferenceBackend {
    const routed = this.router.backendFor(model);
    if (routed) return routed;
    for (const lookup of this.lookups) {
      const found = lookup(model);
      if (found) return found;
    }
    return this.local;
  }

  private begin(request: InferenceRequest) {
    const meter: CallMeter = { model: request.model, revision: null, task: request.task ?? null };
    const clock = new RequestClock(this.settings.timeoutMs, request.signal);
    const call: BackendCall = { ...request, meter, deadline: () => clock.signal() };
    return { meter, clock, call, started: performance.now() };
  }

  async run(request: InferenceRequest): Promise<InferenceResult> {
    const { meter, clock, call, started } = this.begin(request);
    const backend = this.backendFor(request.model);
    let ticket: GateTicket | undefined;
    try {
      this.authorize(request);
      ticket = await this.gate?.admit(call, backend);
      const result = await backend.run(call);
      const { batchSize, ...answer } = result;
      answer.usage = { ...answer.usage, latency_ms: Math.round(performance.now() - started) };
      const charge = await ticket?.settle({
        meter,
        inputUnits: answer.usage.input_units,
        unit: answer.usage.unit,
        outputUnits: answer.usage.output_units,
        outputUnit: answer.usage.output_unit,
        latencyMs: answer.usage.latency_ms,
      });
      await this.meter.record(request, meter, {
        ...answer.usage,
        status: 200,
        inputBytes: inputBytes(request),
        outputBytes: (JSON.stringify(answer.outputs) ?? "").length,
        batchSize: batchSize ?? 1,
        ...(charge ? { charge } : {}),
      });
      return answer;
    } catch (error) {
      throw await this.recordFailure(
        request,
        meter,
        started,
        error,
        await this.chargeFailure(ticket, call, backend, meter, started),
      );
    } finally {
      clock.clear();
    }
  }

  /**
   * Token streaming for text generation. The stream is metered when it ends, with the tokens it sent; a
   * client that went away is metered as cancelled.
   */
  async stream(request: InferenceRequest): Promise<InferenceStream> {
    const { meter, clock, call, started } = this.begin(request);
    const backend = this.backendFor(request.model);
    let stream: InferenceStream;
    let ticket: GateTicket | undefined;
    try {
      this.authorize(request);
      ticket = await this.gate?.admit(call, backend);
      stream = await backend.stream(call);
    } catch (error) {
      clock.clear();
      throw await this.recordFailure(
        request,
        meter,
        started,
        error,
        await this.chargeFailure(ticket, call, backend, meter, started),
      );
    }
    const usage = this.meter;
    const outputUnit = this.registry.task(stream.task)?.outputUnit ?? "tokens";
    let completion = 0;
    const source = stream.chunks;
    const chunks: AsyncIterable<StreamChunk> = {
      async *[Symbol.asyncIterator]() {
        let outcomeError: unknown;
        try {
          for await (const chunk of source) {
            if (chunk.tokenId !== undefined) completion++;
            yield chunk;
          }
        } catch (error) {
          outcomeError = error;
          throw error;
        } finally {
          clock.clear();
          const failure = outcomeError === undefined ? undefined : asFailure(outcomeError, request.signal);
          const cancelled = failure ? failure.status === CLIENT_CLOSED : request.signal?.aborted === true;
          const latencyMs = Math.round(performance.now() - started);
          const charge = await ticket?.settle({
            meter,
            inputUnits: meter.inputUnits ?? stream.promptTokens,
            unit: meter.unit ?? "tokens",
            outputUnits: completion,
            outputUnit,
            latencyMs,
          });
          await usage.record(request, meter, {
            input_units: meter.inputUnits ?? stream.promptTokens,
            output_units: completion,
            unit: meter.unit ?? "tokens",
            output_unit: outputUnit,
            latency_ms: latencyMs,
            ...(charge ? { charge } : {}),
            status: cancelled ? CLIENT_CLOSED : (failure?.status ?? 200),
            inputBytes: inputBytes(request),
            outputBytes: 0,
            ...(cancelled ? { cancelled: true } : failure ? { error: failure } : {}),
          });
        }
      },
    };
    return {
      model: stream.model,
      revision: stream.revision,
      task: stream.task,
      get promptTokens() {
        return stream.promptTokens;
      },
      chunks,
    };
  }

  /** Models the caller may run: local models it may read (routes are listed by `router.routeNames`). */
  listRunnableModels(caller: Caller, limit = 1000): Promise<RunnableModel[]> {
    return this.local.listRunnableModels(caller, limit);
  }

  stats(): InferenceStats {
    return this.local.stats();
  }

  /** Usage totals by model and task (for usage and cost reports); pending events are written first. */
  async usageTotals(query: UsageQuery = {}): Promise<UsageTotals[]> {
    await this.flushUsage();
    return this.hub.catalog.usage.totals(query);
  }

  async usageEvents(query: UsageQuery = {}, limit = 1000): Promise<UsageEvent[]> {
    await this.flushUsage();
    return this.hub.catalog.usage.list(query, limit);
  }

  /** Writes buffered usage events in one transaction. */
  flushUsage(): Promise<void> {
    return this.meter.flush();
  }

  /**
   * Meters a call that failed before it produced anything, and returns the error to throw. A client that
   * went away (also while its request waited in the queue) is metered as cancelled, with no error code:
   * nothing failed, nobody was answered.
   */
  private async recordFailure(
    request: InferenceRequest,
    meter: CallMeter,
    started: number,
    error: unknown,
    charge?: UsageCharge,
  ): Promise<HangarError> {
    const failure = asFailure(error, request.signal);
    const cancelled = failure.status === CLIENT_CLOSED;
    await this.meter.record(request, meter, {
      input_units: meter.inputUnits ?? 0,
      output_units: 0,
      unit: meter.unit ?? "characters",
      output_unit: this.registry.task(meter.task ?? "")?.outputUnit ?? "characters",
      latency_ms: Math.round(performance.now() - started),
      status: failure.status,
      inputBytes: inputBytes(request),
      outputBytes: 0,
      ...(cancelled ? { cancelled: true } : { error: failure }),
      ...(charge ? { charge } : {}),
    });
    return failure;
  }

  /**
   * A failed call's charge: an admitted one settles its reservation to what was metered before it failed;
   * one refused before admission (a budget, a rate limit) costs nothing but is still attributed.
   */
  private async chargeFailure(
    ticket: GateTicket | undefined,
    call: BackendCall,
    backend: InferenceBackend,
    meter: CallMeter,
    started: number,
  ): Promise<UsageCharge | undefined> {
    if (!this.gate) return undefined;
    if (!ticket) return this.gate.attribute(call, backend);
    return ticket.settle({
      meter,
      inputUnits: meter.unit === "tokens" ? (meter.inputUnits ?? 0) : 0,
      unit: meter.unit ?? "characters",
      outputUnits: 0,
      outputUnit: this.registry.task(meter.task ?? "")?.outputUnit ?? "characters",
      latencyMs: Math.round(performance.now() - started),
    });
  }

  async close(): Promise<void> {
    await this.router.close();
    await this.meter.close();
    await this.local.close();
  }
}
