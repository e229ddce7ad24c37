// The packaging test's type-level consumer: the public declarations of the three packages, read
// without Node's types and without `skipLibCheck`, by TypeScript 5.0 and by the current
// TypeScript, under nodenext (ES module and CommonJS), node10 and bundler resolution. Each
// `@ts-expect-error` fails the build if its line compiles, as it would if a type were `any`.

import { DeviceKeyClient, DeviceKeyProtocolError, DeviceKeyRpcError, type ByteSink, type ByteSource, type RpcErrorKind } from "@devicekey/client";
import {
  formatViolation,
  isDeviceKeySignParams,
  isValid,
  METHODS,
  parse,
  parseDeviceKeyCreateParams,
  TYPE_NAMES,
  validate,
  type DeviceKeyProtectionPolicy,
  type DeviceKeySignParams,
  type DomainErrorKind,
  type ParseResult,
  type TypeName,
  type TypesByName,
  type Violation,
} from "@devicekey/protocol";
import {
  decodeBase64,
  derSignatureToP1363,
  deviceIdentityJson,
  deviceIdentitySha256Base64url,
  verifyProof,
  verifyProofBase64,
  type Bytes,
  type DeviceKeyPublicInfo,
  type Expectations,
  type ProofBase64,
  type VerifyFailureKind,
  type VerifyOptions,
  type VerifyResult,
} from "@devicekey/verify";

export async function typed(source: ByteSource, sink: ByteSink, value: unknown, proof: ProofBase64): Promise<string> {
  const client = new DeviceKeyClient(source, sink, { attestationToken: () => "v1.token" });
  const key = await client.request("device/key/create", { accountUserId: "a", clientId: "c", protectionPolicy: null });
  const keyId: string = key.keyId;
  // @ts-expect-error: an unknown params property
  void client.request("device/key/create", { accountUserId: "a", clientId: "c", oops: true });
  // @ts-expect-error: accountUserId is a string
  void client.request("device/key/create", { accountUserId: 1, clientId: "c" });
  // @ts-expect-error: exactOptionalPropertyTypes: an optional property is absent or a value, not undefined
  void client.request("device/key/list", { limit: undefined });

  const parsed: ParseResult<TypesByName["DeviceKeyCreateParams"]> = parseDeviceKeyCreateParams(value);
  const policy: DeviceKeyProtectionPolicy | null | undefined = parsed.ok ? parsed.value.protectionPolicy : undefined;
  const messages: string[] = parsed.ok ? [] : parsed.violations.map(formatViolation);
  if (isDeviceKeySignParams(value)) {
    const params: DeviceKeySignParams = value;
    void params.payload.nonce;
  }
  const name: TypeName = TYPE_NAMES[0];
  if (isValid("DeviceKeyProtectionPolicy", value)) {
    const narrowed: DeviceKeyProtectionPolicy = value;
    void narrowed;
  }
  const byName = parse("ClientInfo", value);
  const clientName: string | undefined = byName.ok ? byName.value.name : undefined;
  const violations: Violation[] = validate(name, value);
  // @ts-expect-error: a misspelt type name
  validate("DeviceKeySignParam", value);
  // @ts-expect-error: a misspelt type name
  parse("Nonse", value);

  const error = new DeviceKeyRpcError(-32001, "device key not found", { kind: "keyNotFound" });
  const kind: RpcErrorKind | undefined = error.kind;
  const domain: DomainErrorKind | undefined = kind === "keyNotFound" ? kind : undefined;
  // @ts-expect-error: not an error kind
  const wrong = kind === "keyNotFund";
  const protocolError: Violation[] = [...new DeviceKeyProtocolError("x").violations];

  const bytes: Bytes | undefined = decodeBase64(proof.signedPayloadBase64);
  const raw: Bytes | undefined = derSignatureToP1363(bytes ?? new Uint8Array());
  const result: VerifyResult = await verifyProofBase64(proof, { now: 0 });
  const fromBytes: VerifyResult = await verifyProof({ publicKeySpkiDer: new Uint8Array(), signedPayload: new Uint8Array(), signatureDer: new Uint8Array() });
  const outcome = result.ok ? result.facts.accountUserId : result.kind;
  // @ts-expect-error: not a failure kind
  const badKind = !fromBytes.ok && fromBytes.kind === "badSignatur";

  const expectations: Expectations = { nonce: "n", sessionId: "s", challengeId: "c", accountUserId: "a", clientId: "c", keyId };
  const options: VerifyOptions[] = [{}, { ...expectations, now: 0 }, { skipExpiry: true, acceptAnySpelling: true }, { now: undefined, skipExpiry: false }];
  // @ts-expect-error: now and skipExpiry together
  const both: VerifyOptions = { now: 0, skipExpiry: true };
  // @ts-expect-error: a misspelt expectation
  const misspelt: VerifyOptions = { audiance: "x" };
  // @ts-expect-error: now is Unix seconds, not a Date
  const date: VerifyOptions = { now: new Date() };
  const lenient = await verifyProofBase64(proof, { acceptAnySpelling: true });
  const verdict: "valid" | "validNotCanonical" | VerifyFailureKind = lenient.ok ? lenient.verdict : lenient.kind;
  const canonical: boolean = lenient.ok && lenient.canonical;
  const checkedAt: number | undefined = lenient.ok ? lenient.expiryCheckedAt : undefined;
  const mismatch: VerifyFailureKind[] = ["nonceMismatch", "sessionIdMismatch", "challengeIdMismatch", "accountUserIdMismatch", "clientIdMismatch", "keyIdMismatch", "malformedNumber", "webCryptoUnavailable"];

  const info: DeviceKeyPublicInfo = key;
  const identity: string = await deviceIdentitySha256Base64url(key);
  const hashed: string = deviceIdentityJson(info);
  // @ts-expect-error: not a protection class
  void deviceIdentityJson({ ...info, protectionClass: "hardware" });
  return [keyId, policy, messages, clientName, violations, domain, wrong, protocolError, raw, outcome, badKind, METHODS.length, options, both, misspelt, date, verdict, canonical, checkedAt, mismatch, identity, hashed].join();
}
