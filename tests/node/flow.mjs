// The howto's Node flow against `assistant-harness serve`, with the openai npm package unchanged:
// a scenario loaded over the control API, a run polled by the SDK's helper, a background response
// polled to its end, a streamed response. Prints one JSON line for tests/test_node.py.
import OpenAI from "openai";

const baseURL = process.env.OPENAI_BASE_URL; // http://127.0.0.1:PORT/v1
const apiKey = process.env.OPENAI_API_KEY; // this flow's own key: its own namespace
// The server whose control API loads the scenario: this one, or (through a recording proxy) the
// upstream; "" when replaying a cassette, where no scenario is needed.
const harness = process.env.HARNESS_CONTROL_URL ?? baseURL.replace(/\/v1$/, "") + "/__harness";

const SCENARIO = `
poll_after_ms: 2000
runs:
  - steps:
      - {status: queued, duration: 10}
      - {status: in_progress, duration: 50}
      - {status: completed, reply: "a minute later"}
responses:
  - steps:
      - {status: queued, duration: 10}
      - {status: in_progress, duration: 50}
      - {status: completed, reply: "background done"}
  - steps:
      - {status: in_progress, duration: 1}
      - {status: completed, reply: "streamed"}
`;

const started = performance.now();
if (harness) {
  const loaded = await fetch(`${harness}/namespaces/${encodeURIComponent(apiKey)}/scenario`, {
    method: "PUT",
    headers: { "content-type": "application/yaml" },
    body: SCENARIO,
  });
  if (!loaded.ok) throw new Error(`scenario refused: ${await loaded.text()}`);
}

const client = new OpenAI({ baseURL, apiKey });
const assistant = await client.beta.assistants.create({ model: "gpt-4o" });
const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id });

let response = await client.responses.create({ model: "gpt-4o", input: "later", background: true });
while (response.status === "queued" || response.status === "in_progress") {
  await new Promise((resolve) => setTimeout(resolve, 5)); // the app's own wait; the server's clock moves per poll
  response = await client.responses.retrieve(response.id);
}

const events = [];
const stream = await client.responses.create({ model: "gpt-4o", input: "now", stream: true });
for await (const event of stream) events.push(event.type);

const objects = harness
  ? await (await fetch(`${harness}/namespaces/${encodeURIComponent(apiKey)}/objects`)).json()
  : null;
console.log(
  JSON.stringify({
    run: run.status,
    response: response.status,
    text: response.output_text,
    ids: [assistant.id, run.id, response.id],
    events,
    objects,
    real_ms: Math.round(performance.now() - started),
  }),
);
