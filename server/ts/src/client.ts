/**
 * A client of the `devicekey` server: newline-delimited JSON-RPC 2.0 over any pair of byte
 * streams (a child process's stdout/stdin, a Unix socket), typed by the generated method table.
 *
 * Every result is checked with the generated result validator of its method before it is
 * returned, and every error's `data` with the generated validator of its schema
 * (`RequestErrorData`, `InvalidParamsErrorData`, `DomainErrorData`). The server request
 * `attestation/generate` is answered by the `attestationToken` callback when one is given.
 */

import {
  METHOD_VALIDATORS,
  validateDomainErrorData,
  validateInvalidParamsErrorData,
  validateRequestErrorData,
  type ClientInfo,
  type ClientRequestMethods,
  type DomainErrorKind,
  type InitializeCapabilities,
  type InitializeResponse,
  type InvalidParamsErrorData,
  type RequestErrorData,
  type Violation,
} from "@devicekey/protocol";

export type { ClientInfo, ClientRequestMethods, DomainErrorKind, InitializeCapabilities, InitializeResponse, Violation };

/**
 * The `kind` of an error's `data`: a request error (`notInitialized`, `lineTooLong`, ...),
 * `invalidParams`, or a domain error's kind (`keyNotFound`, `replay`, ...).
 */
export type RpcErrorKind = RequestErrorData["kind"] | InvalidParamsErrorData["kind"] | DomainErrorKind;

/** Where the client reads the server's bytes from (a Node `Readable` fits). */
export interface ByteSource {
  on(event: "data", listener: (chunk: Uint8Array | string) => void): unknown;
  on(event: "end" | "close", listener: () => void): unknown;
}

/** Where the client writes its lines (a Node `Writable` fits). */
export interface ByteSink {
  write(chunk: string): unknown;
  end(): unknown;
}

/** The `error` of a JSON-RPC answer. */
export class DeviceKeyRpcError extends Error {
  /** The JSON-RPC code: -32700, -32600, -32601, -32602, or a domain code in -32000..-32099. */
  readonly code: number;
  /** The error's `data`, as sent. */
  readonly data: unknown;
  /** Violations of the `data` against its schema (empty when it conforms). */
  readonly dataViolations: readonly Violation[];

  constructor(code: number, message: string, data: unknown) {
    super(message);
    this.name = "DeviceKeyRpcError";
    this.code = code;
    this.data = data;
    this.dataViolations = validateErrorData(code, data);
  }

  /**
   * `data.kind` (`notInitialized`, `invalidParams`, `keyNotFound`, `replay`, ...) when the code
   * has a `data` schema and the `data` conforms to it; `undefined` otherwise (see
   * `dataViolations`).
   */
  get kind(): RpcErrorKind | undefined {
    const data = this.data;
    if (!hasDataSchema(this.code) || this.dataViolations.length > 0 || !isObject(data)) {
      return undefined;
    }
    // Validated against the code's schema: `kind` is one of that schema's kinds.
    return data["kind"] as RpcErrorKind;
  }
}

/** The server broke the protocol: a line that is not JSON, or a result its schema refuses. */
export class DeviceKeyProtocolError extends Error {
  readonly violations: readonly Violation[];

  constructor(message: string, violations: readonly Violation[] = []) {
    super(message);
    this.name = "DeviceKeyProtocolError";
    this.violations = violations;
  }
}

/** Options of a client. */
export interface ClientOptions {
  /** Answers `attestation/generate`; without it the client answers that request with an error. */
  readonly attestationToken?: () => string | Promise<string>;
}

interface Pending {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** A JSON-RPC client of one connection. */
export class DeviceKeyClient {
  readonly #sink: ByteSink;
  readonly #options: ClientOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #decoder = new TextDecoder("utf-8");
  #buffer = "";
  #nextId = 1;
  #closed = false;

  constructor(source: ByteSource, sink: ByteSink, options: ClientOptions = {}) {
    this.#sink = sink;
    this.#options = options;
    source.on("data", (chunk) => this.#receive(chunk));
    const ended = () => this.#fail(new DeviceKeyProtocolError("the connection closed"));
    source.on("end", ended);
    source.on("close", ended);
  }

  /** Sends `initialize`, then the `initialized` notification. */
  async initialize(clientInfo: ClientInfo, capabilities?: InitializeCapabilities): Promise<InitializeResponse> {
    const params = capabilities === undefined ? { clientInfo } : { clientInfo, capabilities };
    const response = await this.request("initialize", params);
    this.notify("initialized");
    return response;
  }

  /** Sends a request and resolves with its validated result, or rejects with its error. */
  request<M extends keyof ClientRequestMethods>(
    method: M,
    params: ClientRequestMethods[M]["params"],
  ): Promise<ClientRequestMethods[M]["result"]> {
    if (this.#closed) {
      return Promise.reject(new DeviceKeyProtocolError("the connection is closed"));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject });
      this.#send({ jsonrpc: "2.0", id, method, params });
    });
  }

  /** Sends a notification (no answer). */
  notify(method: "initialized"): void {
    this.#send({ jsonrpc: "2.0", method });
  }

  /** Closes the sending side; the server finishes what is in flight and ends the connection. */
  close(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#sink.end();
    }
  }

  #send(message: unknown): void {
    this.#sink.write(`${JSON.stringify(message)}\n`);
  }

  #receive(chunk: Uint8Array | string): void {
    this.#buffer += typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    let newline = this.#buffer.indexOf("\n");
    while (newline >= 0) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line.trim() !== "") {
        this.#handle(line);
      }
      newline = this.#buffer.indexOf("\n");
    }
  }

  #handle(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.#fail(new DeviceKeyProtocolError(`the server sent a line that is not JSON: ${line.slice(0, 200)}`));
      return;
    }
    if (!isObject(message) || message["jsonrpc"] !== "2.0") {
      this.#fail(new DeviceKeyProtocolError(`the server sent a message without "jsonrpc":"2.0": ${line.slice(0, 200)}`));
      return;
    }
    if (typeof message["method"] === "string") {
      void this.#answerServerRequest(message["id"], message["method"]);
      return;
    }
    const id = message["id"];
    const pending = typeof id === "number" ? this.#pending.get(id) : undefined;
    if (pending === undefined) {
      // An answer to no request of ours (e.g. the `id: null` of a line the server could not read).
      return;
    }
    this.#pending.delete(id as number);
    const error = message["error"];
    if (isObject(error)) {
      const code = typeof error["code"] === "number" ? error["code"] : 0;
      const text = typeof error["message"] === "string" ? error["message"] : "error";
      pending.reject(new DeviceKeyRpcError(code, text, error["data"]));
      return;
    }
    const result = message["result"];
    const violations = METHOD_VALIDATORS[pending.method]?.result?.(result) ?? [];
    if (violations.length > 0) {
      pending.reject(new DeviceKeyProtocolError(`the ${pending.method} result violates its schema`, violations));
      return;
    }
    pending.resolve(result);
  }

  async #answerServerRequest(id: unknown, method: string): Promise<void> {
    if (id === undefined) {
      return;
    }
    const provider = this.#options.attestationToken;
    if (method !== "attestation/generate" || provider === undefined) {
      this.#send({ jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: ${method}` } });
      return;
    }
    try {
      const token = await provider();
      this.#send({ jsonrpc: "2.0", id, result: { token } });
    } catch (error) {
      this.#send({ jsonrpc: "2.0", id, error: { code: -32000, message: error instanceof Error ? error.message : String(error) } });
    }
  }

  #fail(error: Error): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      pending.reject(error);
    }
    this.#pending.clear();
  }
}

/** Whether errors with this code carry a `data` of a schema type (with a `kind`). */
function hasDataSchema(code: number): boolean {
  return code === -32600 || code === -32602 || (code <= -32000 && code >= -32099);
}

/** Checks an error's `data` against the schema its code calls for. */
function validateErrorData(code: number, data: unknown): readonly Violation[] {
  if (code === -32600) {
    return validateRequestErrorData(data);
  }
  if (code === -32602) {
    return validateInvalidParamsErrorData(data);
  }
  if (code <= -32000 && code >= -32099) {
    return validateDomainErrorData(data);
  }
  return [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
