// The client against a scripted server: answers are lines pushed into a fake byte source, requests
// are read back from a fake sink. No binary needed.

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";

import { DeviceKeyClient, DeviceKeyProtocolError, DeviceKeyRpcError } from "../dist/client.js";

/** A client whose server is `answer(request)`: each request line gets the returned message. */
function scripted(answer) {
  const source = new EventEmitter();
  const sent = [];
  const sink = {
    write(line) {
      const request = JSON.parse(line);
      sent.push(request);
      const reply = answer(request);
      if (reply !== undefined) {
        queueMicrotask(() => source.emit("data", `${JSON.stringify({ jsonrpc: "2.0", id: request.id, ...reply })}\n`));
      }
    },
    end() {
      source.emit("end");
    },
  };
  return { client: new DeviceKeyClient(source, sink), sent };
}

test("kind is the data's kind when the data conforms to its code's schema", async () => {
  const { client } = scripted(() => ({ error: { code: -32001, message: "device key not found", data: { kind: "keyNotFound" } } }));
  await assert.rejects(client.request("device/key/public", { keyId: `dk_swk_${"A".repeat(43)}` }), (error) => {
    assert.ok(error instanceof DeviceKeyRpcError);
    assert.equal(error.kind, "keyNotFound");
    assert.deepEqual(error.dataViolations, []);
    return true;
  });
});

test("kind is undefined when the data violates its schema or the code has none", () => {
  const unknownKind = new DeviceKeyRpcError(-32001, "?", { kind: "keyNotFund" });
  assert.equal(unknownKind.kind, undefined);
  assert.equal(unknownKind.dataViolations[0]?.keyword, "enum");
  assert.match(unknownKind.dataViolations[0]?.message ?? "", /^must be one of "keyNotFound", /);
  // -32601 (method not found) has no data schema: whatever its data says, there is no kind.
  assert.equal(new DeviceKeyRpcError(-32601, "Method not found", { kind: "keyNotFound" }).kind, undefined);
  assert.equal(new DeviceKeyRpcError(-32600, "Not initialized", { kind: "notInitialized" }).kind, "notInitialized");
});

test("a result that violates its schema is a protocol error naming the violations", async () => {
  const { client } = scripted(() => ({ result: { keys: "none" } }));
  await assert.rejects(client.request("device/key/list", {}), (error) => {
    assert.ok(error instanceof DeviceKeyProtocolError);
    assert.equal(error.message, "the device/key/list result violates its schema");
    assert.equal(error.violations[0]?.instancePath, "/keys");
    return true;
  });
});

test("initialize sends the request, then the initialized notification", async () => {
  const { client, sent } = scripted((request) =>
    request.method === "initialize" ? { result: { userAgent: "devicekey/0", platformFamily: "unix", platformOs: "linux" } } : undefined,
  );
  const response = await client.initialize({ name: "test", version: "1" });
  assert.equal(response.platformOs, "linux");
  assert.deepEqual(
    sent.map((message) => [message.method, message.id]),
    [
      ["initialize", 1],
      ["initialized", undefined],
    ],
  );
  assert.deepEqual(sent[0].params, { clientInfo: { name: "test", version: "1" } });
});

test("requests in flight fail when the connection closes", async () => {
  const { client } = scripted(() => undefined);
  const pending = client.request("device/key/list", {});
  client.close();
  await assert.rejects(pending, (error) => error instanceof DeviceKeyProtocolError && error.message === "the connection closed");
});
