export type OnnxRuntime = typeof import("onnxruntime-node");
type Sharp = typeof import("sharp").default;

let onnxRuntime: Promise<OnnxRuntime> | undefined;
let sharp: Promise<Sharp> | undefined;

/**
 * onnxruntime-node and sharp load native libraries; they are imported on the first model load or image,
 * not with every Hangar process (CLI commands stay fast).
 */
export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  onnxRuntime ??= import("onnxruntime-node");
  return onnxRuntime;
}

export function loadSharp(): Promise<Sharp> {
  sharp ??= import("sharp").then((module) => module.default);
  return sharp;
}
