import { rejectExtraPositionals, requiredPositional } from "../client/cli-options.ts";
import {
  type ApiEndpointView,
  ENDPOINT_OPTIONS,
  EndpointsClient,
  endpointLine,
} from "../client/endpoints-client.ts";
import type { Command } from "../command.ts";

/** `hangar endpoint pause|resume|scale-to-zero <name>`: one POST each, the endpoint's new state printed. */
function lifecycleCommand(action: "pause" | "resume" | "scale-to-zero", summary: string): Command {
  return {
    name: ["endpoint", action],
    summary,
    usage: "<name>",
    options: ENDPOINT_OPTIONS,
    async run(input) {
      const name = requiredPositional(input, 0, "<name>");
      rejectExtraPositionals(input, 1);
      const client = await EndpointsClient.of(input);
      const endpoint = await client.request<ApiEndpointView>(
        "POST",
        `/${encodeURIComponent(name)}/${action}`,
      );
      input.stdout.write(input.json ? `${JSON.stringify(endpoint)}\n` : `${endpointLine(endpoint)}\n`);
    },
  };
}

export const endpointPauseCommand = lifecycleCommand(
  "pause",
  "Pause an inference endpoint: its replicas stop and requests are refused until it is resumed",
);
export const endpointResumeCommand = lifecycleCommand(
  "resume",
  "Resume a paused (or scaled-to-zero) inference endpoint",
);
export const endpointScaleToZeroCommand = lifecycleCommand(
  "scale-to-zero",
  "Scale an inference endpoint to zero replicas now; the next request starts one and waits for it",
);

export const endpointDeleteCommand: Command = {
  name: ["endpoint", "delete"],
  summary: "Delete an inference endpoint (its replicas stop; this cannot be undone)",
  usage: "<name>",
  options: ENDPOINT_OPTIONS,
  async run(input) {
    const name = requiredPositional(input, 0, "<name>");
    rejectExtraPositionals(input, 1);
    const client = await EndpointsClient.of(input);
    await client.request("DELETE", `/${encodeURIComponent(name)}`);
    input.stdout.write(
      input.json
        ? `${JSON.stringify({ deleted: `${client.namespace}/${name}` })}\n`
        : `Deleted ${client.namespace}/${name}\n`,
    );
  },
};
