// The generated validators' runtime: violations, instance paths, the collecting sink, JSON
// equality, code-point lengths, and the format primitives. It mirrors `validator_runtime.rs` of the
// Rust crate: every primitive here decides exactly as its Rust twin does.
//
// The validators come in two flavours per schema, as the Rust ones are monomorphized for two sinks:
// a yes/no flavour that returns `false` at the first violation and keeps no path, and a collecting
// flavour that reports every violation into a `Collector`. Instance paths live in the collector as
// a stack of segments while validating and become a JSON pointer only when a violation is reported.

/** One schema violation, as the JSON-RPC `invalidParams` error data carries it. */
export interface Violation {
  /** JSON pointer (RFC 6901) to the offending value in the instance (`""` is the instance itself). */
  instancePath: string;
  /** Where the violated keyword is: `DeviceKeySignParams.json#/properties/keyId/format`. */
  schemaPath: string;
  /** The violated keyword: `format`, `required`, `additionalProperties`... */
  keyword: string;
  /** What is wrong, for people. */
  message: string;
}

/** One step of an instance path: an object property name or an array index. */
export type PathSegment = string | number;

/** The JSON pointer (RFC 6901) of a path: `~` becomes `~0` and `/` becomes `~1` in names. */
export function pointer(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    out += "/";
    if (typeof segment === "number") {
      out += String(segment);
    } else if (segment.indexOf("~") < 0 && segment.indexOf("/") < 0) {
      out += segment;
    } else {
      out += segment.replace(/~/g, "~0").replace(/\//g, "~1");
    }
  }
  return out;
}

/** Collects every violation; `path` is the instance path of the value being validated. */
export class Collector {
  /** The violations reported so far, in the order they were found. */
  readonly violations: Violation[] = [];
  /** The current instance path; the validators push and pop segments as they descend. */
  readonly path: PathSegment[] = [];

  /** Reports a violation of the value at the current path. */
  report(schemaPath: string, keyword: string, message: string): void {
    this.violations.push({ instancePath: pointer(this.path), schemaPath, keyword, message });
  }

  /**
   * Reports the members named `names[from]`, `names[from + 1]`… (names in code-point order) that
   * sort before `before` (all that are left, without it), each at its own path, with `message`
   * followed by the member's name as a JSON string. Returns the index of the first name left.
   */
  reportMembers(names: readonly string[], from: number, before: string | undefined, schemaPath: string, keyword: string, message: string): number {
    let i = from;
    for (; i < names.length; i++) {
      const name = names[i] as string;
      if (before !== undefined && compareCodePoints(name, before) >= 0) {
        break;
      }
      this.path.push(name);
      this.report(schemaPath, keyword, message + jsonString(name));
      this.path.pop();
    }
    return i;
  }
}

/** A violation as one line of text: `/keyId must be ... (format at DeviceKeySignParams.json#/...)`. */
export function formatViolation(violation: Violation): string {
  const at = violation.instancePath === "" ? "the value" : violation.instancePath;
  return `${at} ${violation.message} (${violation.keyword} at ${violation.schemaPath})`;
}

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** Whether `object` has its own property `key` (not one inherited from `Object.prototype`). */
export function hasOwn(object: object, key: string): boolean {
  return hasOwnProperty.call(object, key);
}

/**
 * JSON equality as JSON Schema defines it for `enum`, `const` and `uniqueItems`: numbers by value,
 * objects without regard to key order, arrays item by item, nothing equal across types.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return false;
  }
  const aIsArray = Array.isArray(a);
  if (aIsArray !== Array.isArray(b)) {
    return false;
  }
  if (aIsArray) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) {
      return false;
    }
    for (let i = 0; i < x.length; i++) {
      if (!jsonEqual(x[i], y[i])) {
        return false;
      }
    }
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) {
    return false;
  }
  for (const key of keys) {
    if (!hasOwnProperty.call(y, key) || !jsonEqual(x[key], y[key])) {
      return false;
    }
  }
  return true;
}

/**
 * Whether no two items are equal (as `jsonEqual` says). Primitives go into a `Set`; otherwise each
 * item's canonical text (see `canonicalText`) does, so the work grows with the size of the items,
 * not with the square of their number.
 */
export function allUnique(items: readonly unknown[]): boolean {
  const n = items.length;
  if (n < 2) {
    return true;
  }
  let primitives = true;
  for (let i = 0; i < n; i++) {
    const item = items[i];
    if (typeof item === "object" && item !== null) {
      primitives = false;
      break;
    }
  }
  if (primitives) {
    // Strings, numbers, booleans and null: a Set compares them as JSON does (`0` equals `-0`).
    return new Set(items).size === n;
  }
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const text = canonicalText(items[i]);
    if (text === undefined) {
      return allUniquePairwise(items);
    }
    if (seen.has(text)) {
      return false;
    }
    seen.add(text);
  }
  return true;
}

/** `allUnique` by comparing every pair: for items that are not all JSON. */
function allUniquePairwise(items: readonly unknown[]): boolean {
  for (let i = 1; i < items.length; i++) {
    for (let j = 0; j < i; j++) {
      if (jsonEqual(items[i], items[j])) {
        return false;
      }
    }
  }
  return true;
}

/**
 * A JSON value's canonical text: two values have the same one exactly when `jsonEqual` says they
 * are equal (object members sorted by name, numbers as JavaScript writes them, so `-0` as `0`);
 * `undefined` for a value that is not JSON (`undefined`, a non-finite number, a bigint...).
 */
function canonicalText(value: unknown): string | undefined {
  if (value === null) {
    return "null";
  }
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case "object":
      break;
    default:
      return undefined;
  }
  let out: string;
  if (Array.isArray(value)) {
    out = "[";
    for (let i = 0; i < value.length; i++) {
      const item = canonicalText(value[i]);
      if (item === undefined) {
        return undefined;
      }
      out += (i > 0 ? "," : "") + item;
    }
    return out + "]";
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  out = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = canonicalText(object[key]);
    if (item === undefined) {
      return undefined;
    }
    out += (i > 0 ? "," : "") + JSON.stringify(key) + ":" + item;
  }
  return out + "}";
}

/**
 * Compares two strings by code points, as Rust compares `String`s (by their UTF-8 bytes), where
 * JavaScript's own comparison goes by UTF-16 code units: a surrogate (half of a code point above
 * U+FFFF) sorts after U+E000..U+FFFF here.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      return codeUnitRank(x) - codeUnitRank(y);
    }
  }
  return a.length - b.length;
}

/** A code unit's place in code-point order: surrogates move above U+E000..U+FFFF. */
function codeUnitRank(c: number): number {
  if (c < 0xd800) {
    return c;
  }
  return c <= 0xdfff ? c + 0x2000 : c - 0x800;
}

/** Sorts `names` in code-point order, in place, and returns them. */
export function sortByCodePoints(names: string[]): string[] {
  if (names.length > 16) {
    return names.sort(compareCodePoints);
  }
  // Few names: an insertion sort, without the cost of a general sort.
  for (let i = 1; i < names.length; i++) {
    const name = names[i] as string;
    let j = i - 1;
    while (j >= 0 && compareCodePoints(names[j] as string, name) > 0) {
      names[j + 1] = names[j] as string;
      j--;
    }
    names[j + 1] = name;
  }
  return names;
}

/**
 * The names of `object`'s members (those `for…in` visits) in code-point order: the order the Rust
 * validators see a `serde_json` map's members in, so that both languages report the members'
 * violations in the same order.
 */
export function sortedKeys(object: object): string[] {
  const keys: string[] = [];
  for (const key in object) {
    keys.push(key);
  }
  return sortByCodePoints(keys);
}

/**
 * `declared` (names already in code-point order) and `others` (names not among them; sorted here,
 * in place) merged into one list in code-point order.
 */
export function withOthers(declared: readonly string[], others: string[]): string[] {
  sortByCodePoints(others);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < declared.length && j < others.length) {
    const a = declared[i] as string;
    const b = others[j] as string;
    if (compareCodePoints(a, b) < 0) {
      out.push(a);
      i++;
    } else {
      out.push(b);
      j++;
    }
  }
  while (i < declared.length) {
    out.push(declared[i++] as string);
  }
  while (j < others.length) {
    out.push(others[j++] as string);
  }
  return out;
}

/** Draft-07 `integer`: any number with no fractional part (`1.0` is an integer). */
export function isInteger(n: number): boolean {
  return Number.isInteger(n);
}

/** How many Unicode code points `s` has (a surrogate pair counts once). */
export function codePointLength(s: string): number {
  const length = s.length;
  let count = length;
  for (let i = 0; i < length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** Whether `s` has at least `limit` Unicode code points. */
export function hasMinChars(s: string, limit: number): boolean {
  const length = s.length;
  if (length < limit) {
    return false;
  }
  if (length >= 2 * limit) {
    return true;
  }
  return codePointLength(s) >= limit;
}

/** Whether `s` has at most `limit` Unicode code points. */
export function hasMaxChars(s: string, limit: number): boolean {
  const length = s.length;
  if (length <= limit) {
    return true;
  }
  if (length > 2 * limit) {
    return false;
  }
  return codePointLength(s) <= limit;
}

/**
 * The 6-bit values of the base64url characters (`-` and `_` for 62 and 63) by character code below
 * 128; -1 for every other code.
 */
const BASE64URL_VALUES: Int8Array = base64Table(45, 95);
/** The 6-bit values of the standard base64 characters (`+` and `/` for 62 and 63), as above. */
const BASE64_VALUES: Int8Array = base64Table(43, 47);

function base64Table(c62: number, c63: number): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 26; i++) {
    table[65 + i] = i;
    table[97 + i] = 26 + i;
  }
  for (let i = 0; i < 10; i++) {
    table[48 + i] = 52 + i;
  }
  table[c62] = 62;
  table[c63] = 63;
  return table;
}

/**
 * Whether `s[start, end)` (unpadded, its length not 1 modulo 4) is all characters of the base64
 * alphabet whose values `table` holds, and its last character carries no stray trailing bits.
 */
function isCanonicalBase64Body(s: string, start: number, end: number, table: Int8Array): boolean {
  let last = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    // Codes of 128 and above are outside the table (`undefined`, so refused).
    const value = c < 128 ? (table[c] as number) : -1;
    if (value < 0) {
      return false;
    }
    last = value;
  }
  const tail = (end - start) & 3;
  if (tail === 2) {
    return (last & 0x0f) === 0;
  }
  if (tail === 3) {
    return (last & 0x03) === 0;
  }
  return true;
}

/**
 * Format primitive: one of `prefixes` (or none when empty), then canonical unpadded base64url
 * (RFC 4648 §5 alphabet, no `=`, no stray trailing bits) decoding to `minBytes` to `maxBytes` bytes
 * (`Infinity`: no upper bound).
 */
export function isPrefixedBase64url(s: string, prefixes: readonly string[], minBytes: number, maxBytes: number): boolean {
  let start = 0;
  if (prefixes.length > 0) {
    let found = false;
    for (const prefix of prefixes) {
      if (s.startsWith(prefix)) {
        start = prefix.length;
        found = true;
        break;
      }
    }
    if (!found) {
      return false;
    }
  }
  const length = s.length - start;
  const tail = length % 4;
  if (tail === 1) {
    return false;
  }
  const decoded = ((length - tail) / 4) * 3 + (tail > 0 ? tail - 1 : 0);
  if (decoded < minBytes || decoded > maxBytes) {
    return false;
  }
  return isCanonicalBase64Body(s, start, s.length, BASE64URL_VALUES);
}

/**
 * Format primitive: canonical standard base64 with padding (RFC 4648 §4 alphabet; a multiple of 4
 * characters, `=` exactly as needed and only at the end, no stray trailing bits, no white space)
 * decoding to `minBytes` to `maxBytes` bytes (`Infinity`: no upper bound).
 */
export function isBase64(s: string, minBytes: number, maxBytes: number): boolean {
  const length = s.length;
  if (length % 4 !== 0) {
    return false;
  }
  const padding = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const decoded = (length / 4) * 3 - padding;
  if (decoded < minBytes || decoded > maxBytes) {
    return false;
  }
  return isCanonicalBase64Body(s, 0, length - padding, BASE64_VALUES);
}

/**
 * Format primitive: an `http`/`https` origin in its own ASCII serialization (the URL standard's):
 * the strings `s` whose origin the URL parser serializes as `s` itself. A domain is any non-empty
 * run of printable ASCII other than upper-case letters and the forbidden domain code points (empty
 * labels, a trailing dot, `_`, edge hyphens and long labels are the URL standard's to accept); a
 * host whose last label is a number is an IPv4 address and must be a canonical dotted quad; an
 * `xn--` label must be Punycode of a label that UTS #46 keeps as the URL standard applies it
 * (see `isValidIdnHost`).
 */
export function isOrigin(s: string): boolean {
  let start: number;
  let defaultPort: number;
  if (s.startsWith("https://")) {
    start = 8;
    defaultPort = 443;
  } else if (s.startsWith("http://")) {
    start = 7;
    defaultPort = 80;
  } else {
    return false;
  }
  const length = s.length;
  // The host is s[start, hostEnd); the port, when there is one, s[portStart, length).
  let hostEnd = length;
  let portStart = -1;
  if (s.charCodeAt(start) === 91) {
    const close = s.indexOf("]", start);
    if (close < 0) {
      return false;
    }
    hostEnd = close + 1;
    if (hostEnd < length) {
      if (s.charCodeAt(hostEnd) !== 58) {
        return false;
      }
      portStart = hostEnd + 1;
    }
  } else {
    const colon = s.indexOf(":", start);
    if (colon >= 0) {
      hostEnd = colon;
      portStart = colon + 1;
    }
  }
  if (portStart >= 0) {
    const digits = length - portStart;
    if (digits === 0 || digits > 5 || (digits > 1 && s.charCodeAt(portStart) === 48)) {
      return false;
    }
    let port = 0;
    for (let i = portStart; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) {
        return false;
      }
      port = port * 10 + (c - 48);
    }
    // With no leading zero, the digits spell the default port exactly when their value is it.
    if (port === defaultPort || port > 65535) {
      return false;
    }
  }
  const hostLength = hostEnd - start;
  if (hostLength >= 2 && s.charCodeAt(start) === 91 && s.charCodeAt(hostEnd - 1) === 93) {
    return isCanonicalIpv6(s.slice(start + 1, hostEnd - 1));
  }
  if (hostLength === 0) {
    return false;
  }
  // One pass over the host: every code unit a domain code, and whether a label starts `xn--` (a
  // label ends at a `.`, and the host at a `:` or the end, so `n--` after an `x` at a label's start
  // lies inside the host).
  let punycode = false;
  for (let i = start; i < hostEnd; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || DOMAIN_CODES[c] !== 1) {
      return false;
    }
    if (c === 120 && (i === start || s.charCodeAt(i - 1) === 46) && s.startsWith("n--", i + 1)) {
      punycode = true;
    }
  }
  if (endsInNumber(s, start, hostEnd)) {
    return isCanonicalIpv4(s, start, hostEnd);
  }
  if (!punycode) {
    return true;
  }
  return isValidIdnHost(s.slice(start, hostEnd));
}

/**
 * The code units below 128 the URL standard's serialization of a domain may hold (1) or not (0):
 * printable ASCII other than upper case (mapped to lower case) and the forbidden domain code
 * points `#%/:<>?@[\]^|`.
 */
const DOMAIN_CODES: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (let c = 0x21; c < 0x7f; c++) {
    table[c] = 1;
  }
  for (let c = 65; c <= 90; c++) {
    table[c] = 0;
  }
  for (const forbidden of "#%/:<>?@[\\]^|") {
    table[forbidden.charCodeAt(0)] = 0;
  }
  return table;
})();

/**
 * Whether the URL standard reads the host `s[start, end)` as an IPv4 address: its last label,
 * ignoring one trailing empty label, is decimal digits or `0x` and hex digits.
 */
function endsInNumber(s: string, start: number, end: number): boolean {
  if (end - start > 1 && s.charCodeAt(end - 1) === 46) {
    end--;
  }
  let from = end;
  while (from > start && s.charCodeAt(from - 1) !== 46) {
    from--;
  }
  if (from === end) {
    return false;
  }
  let digits = true;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      digits = false;
      break;
    }
  }
  if (digits) {
    return true;
  }
  if (end - from < 2 || s.charCodeAt(from) !== 48 || s.charCodeAt(from + 1) !== 120) {
    return false;
  }
  for (let i = from + 2; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return false;
    }
  }
  return true;
}

/**
 * The code points `code` (an `xn--` label without its prefix) decodes to as Punycode (RFC 3492)
 * written as its encoder writes it, or `undefined` when it is not.
 */
function decodePunycode(code: string): number[] | undefined {
  const dash = code.lastIndexOf("-");
  // With no basic code points the encoder writes no delimiter: `xn---…` is not Punycode.
  if (dash === 0) {
    return undefined;
  }
  const output: number[] = [];
  for (let j = 0; j < dash; j++) {
    output.push(code.charCodeAt(j));
  }
  let n = 128;
  let i = 0;
  let bias = 72;
  let pos = dash + 1;
  while (pos < code.length) {
    const oldI = i;
    let w = 1;
    for (let k = 36; ; k += 36) {
      if (pos >= code.length) {
        return undefined;
      }
      const c = code.charCodeAt(pos++);
      const digit = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : -1;
      if (digit < 0) {
        return undefined;
      }
      i += digit * w;
      // The Rust check refuses what overflows 32 bits; so does this one.
      if (i > 0xffffffff) {
        return undefined;
      }
      const t = Math.min(Math.max(k - bias, 1), 26);
      if (digit < t) {
        break;
      }
      w *= 36 - t;
      if (w > 0xffffffff) {
        return undefined;
      }
    }
    const length = output.length + 1;
    bias = punycodeAdapt(i - oldI, length, oldI === 0);
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
      return undefined;
    }
    output.splice(i, 0, n);
    i++;
  }
  return output;
}

function punycodeAdapt(delta: number, length: number, first: boolean): number {
  let d = first ? Math.floor(delta / 700) : Math.floor(delta / 2);
  d += Math.floor(d / length);
  let k = 0;
  while (d > 455) {
    d = Math.floor(d / 35);
    k += 36;
  }
  return k + Math.floor((36 * d) / (d + 38));
}

/** The host `s[start, end)` is four decimal parts of 0 to 255 without leading zeros. */
function isCanonicalIpv4(s: string, start: number, end: number): boolean {
  let parts = 0;
  let i = start;
  for (;;) {
    let j = i;
    let value = 0;
    while (j < end) {
      const c = s.charCodeAt(j);
      if (c === 46) {
        break;
      }
      if (c < 48 || c > 57 || j - i >= 3) {
        return false;
      }
      value = value * 10 + (c - 48);
      j++;
    }
    const digits = j - i;
    if (digits === 0 || (digits > 1 && s.charCodeAt(i) === 48) || value > 255) {
      return false;
    }
    parts++;
    if (j === end) {
      return parts === 4;
    }
    if (parts === 4) {
      return false;
    }
    i = j + 1;
  }
}

/**
 * An IPv6 address written as the URL standard serializes it (RFC 5952 compression, lower case):
 * parsed into its eight pieces, then written back and compared.
 */
function isCanonicalIpv6(text: string): boolean {
  const pieces = [0, 0, 0, 0, 0, 0, 0, 0];
  const gap = text.indexOf("::");
  if (gap < 0) {
    if (parseIpv6Pieces(text, 0, text.length, pieces, 0) !== 8) {
      return false;
    }
  } else {
    if (text.indexOf("::", gap + 2) >= 0) {
      return false;
    }
    const head = parseIpv6Pieces(text, 0, gap, pieces, 0);
    if (head < 0) {
      return false;
    }
    const tail = parseIpv6Pieces(text, gap + 2, text.length, pieces, head);
    if (tail < 0 || head + tail >= 8) {
      return false;
    }
    // Move the tail to the end and zero the gap.
    for (let k = tail - 1; k >= 0; k--) {
      pieces[8 - tail + k] = pieces[head + k] ?? 0;
    }
    for (let k = head; k < 8 - tail; k++) {
      pieces[k] = 0;
    }
  }
  return serializeIpv6(pieces) === text;
}

/**
 * Parses `s[start, end)` (pieces of 1 to 4 lower-case hex digits separated by `:`, or nothing) into
 * `out` from index `at`, at most up to index 8; returns how many pieces, or -1.
 */
function parseIpv6Pieces(s: string, start: number, end: number, out: number[], at: number): number {
  if (start === end) {
    return 0;
  }
  let count = 0;
  let i = start;
  for (;;) {
    let value = 0;
    let j = i;
    while (j < end) {
      const c = s.charCodeAt(j);
      if (c === 58) {
        break;
      }
      let digit: number;
      if (c >= 48 && c <= 57) {
        digit = c - 48;
      } else if (c >= 97 && c <= 102) {
        digit = c - 87;
      } else {
        return -1;
      }
      if (j - i >= 4) {
        return -1;
      }
      value = value * 16 + digit;
      j++;
    }
    if (j === i || at + count >= 8) {
      return -1;
    }
    out[at + count] = value;
    count++;
    if (j === end) {
      return count;
    }
    i = j + 1;
  }
}

function serializeIpv6(pieces: number[]): string {
  let compress = -1;
  let longest = 1;
  for (let i = 0; i < 8; ) {
    if (pieces[i] === 0) {
      let j = i;
      while (j < 8 && pieces[j] === 0) {
        j++;
      }
      if (j - i > longest) {
        compress = i;
        longest = j - i;
      }
      i = j;
    } else {
      i++;
    }
  }
  let out = "";
  let ignoreZero = false;
  for (let i = 0; i < 8; i++) {
    const piece = pieces[i] ?? 0;
    if (ignoreZero && piece === 0) {
      continue;
    }
    ignoreZero = false;
    if (compress === i) {
      out += i === 0 ? "::" : ":";
      ignoreZero = true;
      continue;
    }
    out += piece.toString(16);
    if (i !== 7) {
      out += ":";
    }
  }
  return out;
}

/** Format primitive: an integer within the signed 64-bit range (`-(2**63) <= n < 2**63`). */
export function isInt64(n: number): boolean {
  return Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808;
}

/** A string as JSON text, for messages that quote instance data. */
export function jsonString(s: string): string {
  return JSON.stringify(s);
}

// ---- The `origin` format's `xn--` labels: UTS #46 as the URL standard applies it ----
//
// ToASCII of a host that is already ASCII keeps an `xn--` label only if its Punycode decodes to a
// label that passes UTS #46's validity criteria under the URL standard's options (non-transitional
// processing, CheckHyphens off, CheckBidi and CheckJoiners on). The data is in the IDNA tables
// below, shared with the Rust runtime.

/**
 * Whether every `xn--` label of the ASCII `host` is Punycode (of at most `MAX_PUNYCODE_LENGTH`
 * characters, for at most `MAX_IDN_LABEL_LENGTH` code points) of a label that UTS #46 keeps, and,
 * when one of them holds a right-to-left code point (a Bidi domain name), whether every label of
 * the host satisfies the Bidi rule (RFC 5893, section 2).
 */
function isValidIdnHost(host: string): boolean {
  const labels: number[][] = [];
  let bidiDomain = false;
  for (const label of host.split(".")) {
    let points: number[];
    if (label.startsWith("xn--")) {
      // Longer Punycode, or a longer label, is refused before its quadratic decoding or encoding
      // (the URL standard leaves the bound to implementations).
      if (label.length - 4 > MAX_PUNYCODE_LENGTH) {
        return false;
      }
      const decoded = decodePunycode(label.slice(4));
      if (decoded === undefined || decoded.length > MAX_IDN_LABEL_LENGTH || !isValidIdnLabel(decoded)) {
        return false;
      }
      points = decoded;
    } else {
      points = [];
      for (let i = 0; i < label.length; i++) {
        points.push(label.charCodeAt(i));
      }
    }
    if (!bidiDomain) {
      bidiDomain = points.some((c) => {
        const bidi = idnaBidiClass(c);
        return bidi === BIDI_R || bidi === BIDI_AL || bidi === BIDI_AN;
      });
    }
    labels.push(points);
  }
  return !bidiDomain || labels.every(satisfiesBidiRule);
}

/** The most Punycode characters after `xn--`, and the most code points a decoded label may have. */
const MAX_PUNYCODE_LENGTH = 2000;
const MAX_IDN_LABEL_LENGTH = 1000;

/**
 * UTS #46's validity criteria for a decoded `xn--` label, with the URL standard's options: not
 * ASCII only, every code point valid (or a deviation), NFC, no combining mark first, and the
 * joiners in the contexts RFC 5892 (appendix A) allows. Hyphens go unchecked (CheckHyphens is
 * off), and so does a decoded label that itself starts `xn--`, as both URL parsers do.
 */
function isValidIdnLabel(label: number[]): boolean {
  return (
    label.some((c) => c >= 0x80) &&
    label.every((c) => c < 0x80 || inIdnaRanges(IDNA_VALID(), c)) &&
    label.length > 0 &&
    !inIdnaRanges(IDNA_MARKS(), label[0] ?? 0) &&
    isNfc(label) &&
    joinersInContext(label)
  );
}

/** The Bidi classes the Bidi rule tells apart (`IDNA_BIDI`'s codes; 0 is L). */
const BIDI_L = 0;
const BIDI_R = 1;
const BIDI_AL = 2;
const BIDI_AN = 3;
const BIDI_EN = 4;
const BIDI_NSM = 10;

function idnaBidiClass(c: number): number {
  return idnaRangeValue(IDNA_BIDI(), c) ?? BIDI_L;
}

/**
 * The Bidi rule for one label of a Bidi domain name: it starts with L (a left-to-right label) or
 * R or AL (right-to-left); a left-to-right label holds only L, EN, ES, CS, ET, ON, BN and NSM and
 * ends in L or EN; a right-to-left label holds only R, AL, AN, EN, ES, CS, ET, ON, BN and NSM,
 * ends in R, AL, EN or AN, and does not hold both EN and AN (trailing NSM aside). An empty label
 * passes.
 */
function satisfiesBidiRule(label: number[]): boolean {
  if (label.length === 0) {
    return true;
  }
  const first = idnaBidiClass(label[0] ?? 0);
  if (first !== BIDI_L && first !== BIDI_R && first !== BIDI_AL) {
    return false;
  }
  const ltr = first === BIDI_L;
  let en = false;
  let an = false;
  for (let i = 1; i < label.length; i++) {
    const bidi = idnaBidiClass(label[i] ?? 0);
    const allowed = ltr
      ? bidi === BIDI_L || (bidi >= BIDI_EN && bidi <= BIDI_NSM)
      : bidi >= BIDI_R && bidi <= BIDI_NSM;
    if (!allowed) {
      return false;
    }
    en ||= bidi === BIDI_EN;
    an ||= bidi === BIDI_AN;
  }
  if (!ltr && en && an) {
    return false;
  }
  for (let i = label.length - 1; i >= 0; i--) {
    const last = idnaBidiClass(label[i] ?? 0);
    if (last !== BIDI_NSM) {
      return ltr
        ? last === BIDI_L || last === BIDI_EN
        : last === BIDI_R || last === BIDI_AL || last === BIDI_EN || last === BIDI_AN;
    }
  }
  return true;
}

/**
 * CheckJoiners (RFC 5892, appendix A): a ZWJ (U+200D) only after a virama; a ZWNJ (U+200C) after
 * a virama or between a left- or dual-joining and a right- or dual-joining letter, with only
 * transparent ones between.
 */
function joinersInContext(label: number[]): boolean {
  for (let i = 0; i < label.length; i++) {
    const c = label[i];
    if (c !== 0x200c && c !== 0x200d) {
      continue;
    }
    if (i === 0) {
      return false;
    }
    if (idnaRangeValue(IDNA_CCC(), label[i - 1] ?? 0) === 9) {
      continue;
    }
    if (c === 0x200d || !joins(label, i - 1, -1, 2) || !joins(label, i + 1, 1, 3)) {
      return false;
    }
  }
  return true;
}

/**
 * Whether the first code point of `label` from `from` on, stepping by `step`, that is not
 * transparent (joining type T) is dual-joining or of joining type `wanted` (`IDNA_JOINING`'s
 * codes: 1 D, 2 L, 3 R).
 */
function joins(label: number[], from: number, step: number, wanted: number): boolean {
  for (let i = from; i >= 0 && i < label.length; i += step) {
    const joining = idnaRangeValue(IDNA_JOINING(), label[i] ?? 0);
    if (joining !== 4) {
      return joining === 1 || joining === wanted;
    }
  }
  return false;
}

/**
 * Whether `label` is in Normalization Form C: its canonical decomposition, canonically ordered
 * and composed again (UAX #15), is the label itself.
 */
function isNfc(label: number[]): boolean {
  const decomposed: number[] = [];
  for (const c of label) {
    pushDecomposed(c, decomposed, 0);
  }
  const ccc = IDNA_CCC();
  const order = decomposed.map((c): [number, number] => [idnaRangeValue(ccc, c) ?? 0, c]);
  // Canonical ordering: a stable sort of each run of non-starters by combining class.
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end < order.length && order[end]?.[0] !== 0) {
      end++;
    }
    const run = order.slice(start, end).sort((a, b) => a[0] - b[0]);
    order.splice(start, run.length, ...run);
    start = end + 1;
  }
  const composed: number[] = [];
  // The starter's index in `composed` (-1 before one), and the class of the last code point kept
  // after it (-1 while nothing is).
  let starter = -1;
  let lastClass = -1;
  for (const [cls, c] of order) {
    if (starter >= 0) {
      const blocked = lastClass !== -1 && (lastClass === 0 || lastClass >= cls);
      if (!blocked) {
        const composite = composePair(composed[starter] ?? 0, c);
        if (composite !== undefined) {
          composed[starter] = composite;
          continue;
        }
      }
    }
    if (cls === 0) {
      starter = composed.length;
      lastClass = -1;
    } else {
      lastClass = cls;
    }
    composed.push(c);
  }
  return composed.length === label.length && composed.every((c, i) => c === label[i]);
}

const HANGUL_S = 0xac00;
const HANGUL_L = 0x1100;
const HANGUL_V = 0x1161;
const HANGUL_T = 0x11a7;
const HANGUL_V_COUNT = 21;
const HANGUL_T_COUNT = 28;
const HANGUL_COUNT = 19 * HANGUL_V_COUNT * HANGUL_T_COUNT;

/** Appends the full canonical decomposition of `c` (Hangul syllables by their algorithm). */
function pushDecomposed(c: number, out: number[], depth: number): void {
  if (c >= HANGUL_S && c < HANGUL_S + HANGUL_COUNT) {
    const index = c - HANGUL_S;
    out.push(HANGUL_L + Math.floor(index / (HANGUL_V_COUNT * HANGUL_T_COUNT)));
    out.push(HANGUL_V + Math.floor((index % (HANGUL_V_COUNT * HANGUL_T_COUNT)) / HANGUL_T_COUNT));
    if (index % HANGUL_T_COUNT !== 0) {
      out.push(HANGUL_T + (index % HANGUL_T_COUNT));
    }
    return;
  }
  const table = IDNA_DECOMPOSE();
  const row = idnaRow(table, 3, c);
  // Canonical decompositions are a few levels deep at most; the bound only guards the table.
  if (row >= 0 && table[row] === c && depth < 8) {
    const second = table[row + 2] ?? 0;
    pushDecomposed(table[row + 1] ?? 0, out, depth + 1);
    if (second !== 0) {
      pushDecomposed(second, out, depth + 1);
    }
  } else {
    out.push(c);
  }
}

/** The primary composite of `first` and `second`, if they have one. */
function composePair(first: number, second: number): number | undefined {
  if (first >= HANGUL_L && first < HANGUL_L + 19 && second >= HANGUL_V && second < HANGUL_V + HANGUL_V_COUNT) {
    return HANGUL_S + ((first - HANGUL_L) * HANGUL_V_COUNT + second - HANGUL_V) * HANGUL_T_COUNT;
  }
  if (
    first >= HANGUL_S &&
    first < HANGUL_S + HANGUL_COUNT &&
    (first - HANGUL_S) % HANGUL_T_COUNT === 0 &&
    second > HANGUL_T &&
    second < HANGUL_T + HANGUL_T_COUNT
  ) {
    return first + second - HANGUL_T;
  }
  const table = IDNA_COMPOSE();
  let lo = 0;
  let hi = table.length / 3;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const a = table[mid * 3] ?? 0;
    const b = table[mid * 3 + 1] ?? 0;
    if (a < first || (a === first && b < second)) {
      lo = mid + 1;
    } else if (a === first && b === second) {
      return table[mid * 3 + 2];
    } else {
      hi = mid;
    }
  }
  return undefined;
}

/**
 * The index of the last row of `width` numbers of `table` (sorted by first number) whose first
 * number is at most `key`, or -1.
 */
function idnaRow(table: readonly number[], width: number, key: number): number {
  let lo = 0;
  let hi = table.length / width;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if ((table[mid * width] ?? Infinity) <= key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return (lo - 1) * width;
}

/** Whether `c` is in one of the [start, end] pairs of `table`. */
function inIdnaRanges(table: readonly number[], c: number): boolean {
  const row = idnaRow(table, 2, c);
  return row >= 0 && c <= (table[row + 1] ?? -1);
}

/** The value of the [start, end, value] triple of `table` holding `c`. */
function idnaRangeValue(table: readonly number[], c: number): number | undefined {
  const row = idnaRow(table, 3, c);
  return row >= 0 && c <= (table[row + 1] ?? -1) ? table[row + 2] : undefined;
}

/**
 * A table of rows of `width` numbers, written as base-36 numbers separated by `,`: each row's first
 * number as the difference from the row before's, and (for [start, end, …] range tables) its
 * second as the difference from its first. Decoded on first use, then kept.
 */
function lazyIdnaTable(width: number, ranges: boolean, text: string): () => readonly number[] {
  let table: number[] | undefined;
  return () => {
    if (table === undefined) {
      const numbers = text.split(",").map((n) => parseInt(n, 36));
      let first = 0;
      table = numbers.map((n, i) => {
        if (i % width === 0) {
          first += n;
          return first;
        }
        return ranges && i % width === 1 ? first + n : n;
      });
    }
    return table;
  };
}

// BEGIN IDNA TABLES: Unicode 17.0.0, written by tools/idna_tables.py (from the `idna` package's UTS #46
// data and `unicodedata2`); regenerate with `python3 tools/idna_tables.py`, never by hand.
/** The code points from U+0080 that UTS #46 non-transitional processing keeps as they are (status valid or deviation), as [start, end] pairs. */
const IDNA_VALID = lazyIdnaTable(2, true, [
  "4h,6,8,0,2,1,3,0,2,1,6,1,5,0,4,0,o,0,8,w,y,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2",
  ",0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,4,0,2,1,3,0,2,0,2,0,4,0,2,0,2,0,2,0,3,0",
  ",2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,3",
  ",0,2,0,2,0,2,0,3,0,2,0,3,0,4,1,6,0,3,0,4,2,5,0,3,0,2,0,2,0,3,0,2,1,3,0,3,0,4,0,2,0,3,2,4,6",
  ",h,0,2,0,2,0,2,0,2,0,2,0,2,0,2,1,3,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,1,6,0,4,0,2,0,2,0,2,0,2",
  ",0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0",
  ",2,0,2,0,2,6,9,0,3,1,3,0,5,0,2,0,2,0,2,0,2,2o,2y,u,11,1,7,2i,2l,0,4,8,a,v,x,0,2,0,2,0,2,0,",
  "4,2,l,0,s,y,17,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,4,0,3,0,2,0,3,1,1h,1b,1d,",
  "0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,8,a,0,2,0,2,0,2,0,2,0,2,0,",
  "2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,3,0,2,",
  "0,2,0,2,0,2,0,2,0,2,1,3,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,",
  "2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,",
  "0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,16,19,1b,2,5,2,4,1i,1r,q,v,5,n,l,n,2f,2k,2r,2t,1b,1e,1m,",
  "1p,2s,37,1m,1p,1c,1f,e,g,r,u,0,2,a,g,v,13,22,24,38,3h,z,11,7,a,1,4,l,n,6,8,0,4,3,6,8,b,1,4",
  ",3,c,0,9,3,6,o,r,2,4,5,a,1,4,l,n,6,8,0,3,0,3,1,4,0,2,4,9,1,4,2,6,0,b,0,a,g,r,2,4,8,a,2,4,l",
  ",n,6,8,1,3,4,7,9,b,2,4,2,5,0,g,3,6,b,j,6,8,2,4,7,a,1,4,l,n,6,8,1,3,4,7,8,b,1,4,2,a,2,a,4,7",
  ",h,s,1,3,5,9,2,4,3,7,1,3,0,2,1,5,1,5,2,6,b,g,4,8,2,4,3,6,0,7,0,f,k,q,c,e,2,4,m,o,f,i,8,a,2",
  ",4,3,b,1,3,2,4,1,4,3,6,9,h,l,n,2,4,m,o,9,b,4,7,8,a,2,4,3,b,1,7,2,4,3,6,9,b,2,f,c,e,2,4,1e,",
  "1g,2,4,5,a,f,i,p,r,2,4,h,l,n,p,8,a,0,3,6,a,0,5,5,7,0,2,7,e,9,c,2,f,1d,1f,6,b,s,1u,1,3,0,2,",
  "4,6,n,p,0,2,b,d,9,c,4,6,0,2,6,8,9,e,1,y,b,d,1h,1j,3,5,3,5,3,5,3,5,3,5,b,d,2,7,1,3,0,6,6,8,",
  "g,i,3,5,3,5,3,5,3,5,3,5,b,d,2,4,e,g,c,1e,4f,5s,17,19,2p,2s,6f,6h,3,6,6,8,0,2,3,6,14,16,3,6",
  ",w,y,3,6,6,8,0,2,3,6,e,g,1k,1m,3,6,1u,1x,v,z,p,w,2d,2o,hr,ht,r,v,2g,2o,l,v,n,x,j,w,c,e,2,4",
  ",1,e,1f,1i,13,16,9,g,9,g,a,g,9,g,2g,2o,16,1c,1x,28,u,w,b,g,b,g,0,4,15,18,4,g,17,1c,p,w,a,e",
  ",1p,1s,1s,1u,s,v,a,h,9,g,d,g,19,1c,b,w,24,26,4l,4u,1n,1r,e,i,1e,1p,0,1i,7,g,16,1c,17,1b,0,",
  "c,0,j,0,t,c,e,x,1z,1r,1t,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0",
  ",2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2",
  ",0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0",
  ",2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,4,7,1,3,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2",
  ",0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0",
  ",2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,8,h,5,g,7,g,7,g,5,g",
  ",7,g,7,g,0,2,0,2,0,2,0,2,0,2,0,2,0,1g,1,6,0,g,0,a,2,6,1,a,2,4,3,i,0,m,1,4,0,2,4,6,b,f,0,9,",
  "2,5,0,3,3,5,0,2,7,b,c,e,6,20,7,9,o,13,w,1g,0,4,0,c,0,3,1,7,1,5,0,2,0,2,0,2,0,5,0,c,0,7,3,9",
  ",5,1i,2,4,4,6,1,6,4b,4e,0,3,6v,6y,72,7p,a,4r,10g,10i,2u,2y,2s,2u,46,49,3t,56,1b,1d,0,4,1,3",
  ",0,2,0,2,0,5,0,2,1,3,5,b,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0",
  ",2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2",
  ",0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,7,9,0,2,3,5,0,6,18,1a,0,6,0,3,1j,1s,0,f,n,x,6,8,6",
  ",8,6,8,6,8,6,8,6,8,6,8,6,8,3h,4g,p,r,3,5,2a,9t,0,2,1e,1g,0,4,4,6,2d,2g,1,4,1,3,2m,2t,16,3v",
  ",1,g,1x,28,f,2g,7,1j,0,ap,m8c,m8g,1i,1s,9n,a9,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,",
  "0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,i,k,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,",
  "2,0,2,0,2,0,3,2h,2q,x,z,0,2,0,2,0,2,0,2,0,2,0,2,2,4,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,",
  "2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,7,9,",
  "0,2,0,3,0,2,0,2,0,2,0,2,3,5,0,2,1,3,0,2,2,4,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,6,0,6,0,",
  "2,0,2,0,2,0,2,0,2,0,2,0,2,0,5,0,2,0,3,0,2,0,2,0,2,0,2,0,2,0,2,0,2,0,r,1,4,1e,1i,9,g,1j,1s,",
  "1x,26,b,i,37,3j,t,x,25,27,a,f,w,y,1i,1s,d,g,9,c,2u,3j,r,12,5,8,5,8,5,f,6,8,6,8,17,1c,8,a,1",
  ",2e,19,1c,9,g,8mb,8mo,m,r,1c,6rn,1,3,0,2,1,c,0,2,0,2,1,4,2,6v,0,44,w,b0,h,2a,1,1k,7,1h,2,z",
  ",f,11,1,1a,0,b1,b,d,p,r,i,k,1,3,e,h,d,1c,3e,3k,2,7,18,1c,2f,2h,c,g,0,1c,19,4w,s,w,1c,1s,r,",
  "w,z,19,t,z,16,1c,t,v,10,15,d,2o,39,3c,9,1k,z,14,13,1c,1f,1r,0,14,a,c,e,g,6,8,1,5,1f,1s,8m,",
  "8w,l,w,7,w,0,3k,5,8,0,2,17,19,1,5,0,3,m,o,1z,28,8,1l,i,k,1,7,w,10,q,w,q,1t,1j,1o,j,m,1d,1f",
  ",1,7,7,9,2,4,s,v,2,7,9,h,8,g,1r,2o,12,17,b,l,1h,1l,s,v,q,w,p,x,3,g,6,2f,20,5c,1e,1m,19,1i,",
  "9,g,f,15,s,11,1,5u,u,w,15,17,2,5,1,i,5,e,8,16,19,1i,15,1s,p,1s,r,1c,m,w,25,2a,z,19,1p,1r,4",
  ",i,o,w,9,g,1g,1i,h,q,12,1c,2n,2p,j,v,h,j,1a,31,6,8,0,2,3,5,e,g,a,h,1m,1s,9,g,3,5,7,a,1,4,l",
  ",n,6,8,1,3,4,6,9,c,1,4,2,5,0,7,0,6,6,9,6,a,4,g,9,b,0,3,0,2,11,13,9,b,0,3,0,2,3,5,9,b,1,a,1",
  ",v,2j,2l,4,z,1z,28,9,4w,1h,1k,11,20,1w,28,9,g,c,w,1l,1s,9,g,j,1c,q,t,e,j,m,5s,1n,5c,1e,1r,",
  "7,a,0,3,7,9,1,3,t,v,1,4,b,l,9,28,7,a,19,1c,a,12,1z,28,2a,2o,20,28,9,2o,7,2o,x,1c,9,g,8,a,1",
  "8,1a,d,o,s,w,v,y,l,n,d,2f,6,8,1,3,17,1b,0,2,1,3,8,h,9,g,5,7,1,3,10,12,1,3,5,d,9,g,17,1c,9,",
  "74,o,w,g,i,14,18,s,36,0,g,1d,1r,pm,sh,32,34,4,g,5f,26o,2q,34,tr,u8,l,w,32y,334,g6,5q8,1l,1",
  "ds,fs,g0,u,w,9,e,28,2a,9,g,t,w,5,g,1x,28,9,b,6,8,k,q,i,cj,1l,80,1m,2j,o,1x,22,27,1k,1s,g,2",
  "9,4,g,6,g,5p1,5q7,v,3l,36,6sw,3,5,6,8,1,3,82,8i,0,u,2,5,0,f,3,c,az,234,2y,34,c,g,8,g,9,c,3",
  ",31g,5x,6y,2,6,c3,ca,m,12,g,w,19,1c,m,w,37,4w,6t,74,12,15,1g,1o,d,m,1r,1y,15,1r,1x,5c,j,w,",
  "j,w,2e,2o,o,ww,i3,ij,4,6,e,v3,u,11,5,63,6,8,g,j,6,8,1,3,4,2x,0,35,18,1c,d,g,9,e,1,8y,u,1c,",
  "1l,1r,0,cx,15,74,16,1b,0,5d,u,w,l,u,1,6a,6,8,3,5,1,3,e,g,5g,5j,f,2j,15,1a,9,e,1,lv,1v,40,1",
  "o,dr,1,7k,17,1c,2r,34,e,h,e,g,e,g,10,1m,4,10,0,x,p,t,y,10,s,2d,p,3e,5,4g,rc,rg,g,k,c,g,61,",
  "68,b,g,0,g,b,g,1j,1s,9,g,13,1c,t,w,b,g,1,g,8,1c,9j,9s,d,g,c,g,a,e,1k,1m,0,5,f,i,b,g,9,h,42",
  ",44,2j,2u,0,sm,wyn,wzk,3dp,3ds,4gd,4gg,5rk,5s0,h9,3yo,3t6,3tc,6jt",
].join(""));
/** Of those, the combining marks (General_Category M*), as [start, end] pairs. */
const IDNA_MARKS = lazyIdnaTable(2, true, [
  "lc,1r,1u,0,4,8,a,v,8j,6,7i,18,1a,0,2,1,3,1,3,0,21,a,1n,k,11,0,2u,6,9,5,8,1,3,3,13,0,v,q,3a",
  ",a,1x,8,i,0,p,3,5,8,a,2,4,4,1c,2,1q,8,1f,n,p,w,2f,2,4,h,j,6,h,1,v,2,1n,0,2,6,9,1,4,2,c,0,b",
  ",1,s,0,3,2,1n,0,2,4,9,1,4,2,6,0,v,1,5,0,c,2,1n,0,2,7,9,2,4,2,n,1,o,5,7,2,1n,0,2,6,9,1,4,2,",
  "a,2,d,1,w,0,1o,4,8,2,4,3,d,0,15,4,1o,0,2,6,8,2,4,3,b,1,d,1,v,2,1n,0,2,6,8,2,4,3,b,1,d,1,h,",
  "0,d,3,1n,1,3,6,8,2,4,3,d,0,b,1,v,2,21,0,5,5,7,0,2,7,q,1,1r,0,3,6,j,7,2y,0,3,8,k,6,28,1,t,0",
  ",2,0,2,0,5,1,1f,1,3,0,6,6,8,2,4,1,7,5,7,3,5,3,5,3,5,3,5,3,5,b,d,2,c,0,2t,j,17,3,8,2,4,2,5,",
  "6,a,3,h,b,d,0,b,3,jn,2,qd,3,w,2,w,1,w,1,1w,t,13,0,4o,1,10,0,3b,b,g,b,6f,4,1q,9,b,s,v,0,1d,",
  "19,1c,b,w,4,1g,g,1j,8,l,2,x,c,1x,d,1q,j,4s,2,4,k,p,0,7,0,3,2,5l,1r,ls,w,2e7,2,40,0,2p,v,ga",
  ",5,33,1,n9y,3,5,9,16,1,2a,1,7m,0,4,0,5,0,o,4,9,0,2c,1,1g,h,18,h,v,0,13,7,x,c,1l,3,1f,d,1e,",
  "0,1w,d,q,0,9,1,1b,2,1h,0,2,2,5,1,7,1,3,0,16,4,a,1,6m,7,9,1,fn6,0,le,f,rh,0,6b,0,46,4,1aj,2",
  ",4,1,7,3,18,2,7,0,4m,1,fz,3,1x,4,8y,1,27,5,24,a,1o,3,3i,2,1k,e,1k,0,3,1,c,3,1d,a,i,0,1q,2,",
  "13,d,u,1,1a,0,d,2,1f,d,m,3,5,1,2m,b,i,0,3,0,4e,b,x,3,1n,1,3,6,9,1,4,2,c,0,b,1,4,6,a,4,20,8",
  ",a,0,3,0,2,3,5,4,6,0,f,1,2c,h,15,0,2a,j,73,6,9,8,10,1,2c,g,3f,c,36,e,7j,e,78,5,7,1,4,3,5,0",
  ",2,1,3z,6,9,6,a,0,t,9,1e,6,8,3,c,0,a,a,1l,f,5y,7,5r,7,9,7,2i,l,n,d,3s,5,9,0,2,1,3,6,8,0,1v",
  ",4,6,1,3,4,9s,3,d,1,3,0,1d,6,a,4,s,0,44m,0,7,e,8uv,h,1xu,4,1s,6,tb,0,2,1i,1q,3,2d,0,c,1,f5",
  "9,1,3mr,19,1c,m,fp,4,8,5,e,7,a,6,11,3,48,2,1j2,1i,1n,1d,1m,0,f,0,n,4,6,e,127,6,8,g,j,6,8,1",
  ",3,4,2x,0,4h,6,am,0,1q,3,e8,3,76,1,6t,0,3,0,8,1,7,0,d7,6,38,6",
].join(""));
/** Bidi_Class other than L of ASCII and of the code points in IDNA_VALID, as [start, end, class] triples: 1 R, 2 AL, 3 AN, 4 EN, 5 ES, 6 CS, 7 ET, 8 ON, 9 BN, 10 NSM, 11 any other. */
const IDNA_BIDI = lazyIdnaTable(3, true, [
  "0,8,9,9,4,b,5,d,9,e,4,b,5,1,8,2,2,7,3,4,8,5,0,5,1,0,6,1,0,5,1,1,6,2,9,4,a,0,6,1,5,8,w,5,8,",
  "w,3,8,4,0,9,y,0,8,1,3,7,4,1,8,3,0,8,2,1,8,3,0,8,2,1,7,6,1,8,5,0,8,4,0,8,o,0,8,w,0,8,ci,1,8",
  ",9,d,8,g,5,8,c,1,8,7,8,8,a,g,8,h,1r,a,1u,0,a,4,8,a,a,v,a,11,0,8,3l,0,8,3x,6,a,7b,0,8,3,1,8",
  ",2,0,7,2,18,a,19,0,1,1,0,a,1,0,1,1,1,a,2,0,1,1,1,a,2,0,1,1,0,a,9,q,1,v,5,1,n,1,8,2,0,2,1,1",
  ",7,2,0,2,1,0,6,1,0,2,1,1,8,2,a,a,b,0,2,2,19,2,1a,k,a,l,9,3,a,0,7,1,1,3,2,2,2,3,0,a,1,3,2,8",
  ",2k,2,2l,6,a,8,0,8,1,5,a,6,1,2,2,1,a,2,0,8,1,3,a,4,1,2,2,9,4,a,j,2,m,0,2,1,0,a,1,t,2,u,q,a",
  ",t,2g,2,2h,a,a,b,0,2,f,16,1,17,8,a,9,1,1,2,3,8,4,0,1,3,0,a,1,n,1,o,3,a,4,0,1,1,8,a,9,0,1,1",
  ",2,a,3,0,1,1,4,a,7,e,1,g,o,1,p,2,a,5,0,1,2,a,2,g,v,2,13,8,a,9,15,2,16,n,a,p,v,a,2f,0,a,2,0",
  ",a,5,7,a,c,0,a,4,6,a,h,1,a,v,0,a,1n,0,a,5,3,a,c,0,a,l,1,a,g,1,7,9,0,7,3,0,a,3,1,a,1n,0,a,5",
  ",1,a,6,1,a,4,2,a,6,0,a,v,1,a,5,0,a,c,1,a,1n,0,a,5,4,a,6,1,a,6,0,a,l,1,a,f,0,7,9,5,a,7,0,a,",
  "1n,0,a,3,0,a,2,3,a,c,0,a,8,1,a,d,1,a,w,0,a,1q,0,a,d,0,a,12,5,8,6,0,7,1,0,8,6,0,a,4,0,a,1k,",
  "0,a,2,2,a,8,2,a,4,3,a,b,1,a,d,1,a,m,6,8,9,0,a,1n,0,a,g,1,a,m,1,a,u,1,a,1n,1,a,6,3,a,c,0,a,",
  "l,1,a,v,0,a,21,0,a,8,2,a,4,0,a,2j,0,a,3,6,a,b,0,7,8,7,a,2y,0,a,3,8,a,k,6,a,28,1,a,t,0,a,2,",
  "0,a,2,0,a,1,3,8,1j,1,a,3,0,a,6,4,a,6,0,a,2,2,a,4,1,a,7,5,a,7,3,a,5,3,a,5,3,a,5,3,a,5,3,a,5",
  ",b,a,d,2,a,c,0,a,2v,3,a,5,5,a,7,1,a,4,1,a,r,1,a,6,2,a,j,3,a,h,0,a,3,1,a,8,0,a,g,0,a,jk,2,a",
  ",1f,9,8,34,0,8,ij,1,8,3b,2,a,w,1,a,w,1,a,w,1,a,1x,6,a,f,0,a,3,a,a,i,0,7,2,0,a,j,9,8,g,a,8,",
  "3p,1,a,10,0,a,3b,2,a,7,1,a,b,0,a,7,2,a,7,0,8,4,1,8,4a,x,8,1l,1,a,4,0,a,1n,0,a,2,6,a,8,0,a,",
  "2,0,a,3,7,a,e,9,a,c,0,a,1d,19,a,1c,b,a,w,3,a,1g,0,a,2,4,a,6,0,a,6,0,a,15,8,a,l,1,a,y,3,a,6",
  ",1,a,3,2,a,1n,0,a,2,1,a,5,0,a,2,2,a,1p,7,a,a,1,a,4a,2,a,4,c,a,e,6,a,b,0,a,7,0,a,4,1,a,5k,1",
  "r,a,gc,1,9,4,0,8,2,4,8,6,b,8,f,0,8,9,2,7,5,0,8,3,3,8,5,0,8,2,4,8,5,0,6,1,1,8,5,c,8,e,6,8,2",
  "0,7,7,9,o,7,13,w,a,1g,0,8,4,0,8,c,0,8,3,1,8,7,1,8,5,0,8,2,0,8,2,0,8,2,0,8,5,0,7,c,0,8,7,3,",
  "8,9,3,8,1s,1,8,6,3l,8,3m,0,5,1,0,7,1,n,8,q,0,8,3,6v,8,6y,a,8,28,p,8,r,43,8,4q,a,8,4r,cg,8,",
  "ci,9e,8,gj,7f,8,7h,2u,8,2y,2s,8,2u,46,8,49,3t,8,a7,5,8,a,2,a,a,6,8,3q,0,a,2p,v,a,w,2l,8,3k",
  ",p,8,r,3,8,5,2a,8,9t,0,8,2,1,8,5,o,8,y,3,a,6,0,8,7,0,8,6,2,8,2k,1,a,7,0,8,2j,0,8,5h,11,8,5",
  "j4,1r,8,h5c,1i,8,al,2,8,2q,3,a,4,0,8,1,9,a,a,1,8,w,1,a,2a,1,a,g,x,8,3s,0,8,3e,0,a,4,0,a,5,",
  "0,a,q,1,a,3,3,8,4,0,a,c,1,7,1o,3,8,28,1,a,s,h,a,v,0,a,13,7,a,x,a,a,1l,2,a,1f,0,a,3,3,a,6,1",
  ",a,15,0,a,1w,5,a,8,1,a,4,1,a,e,0,a,9,0,a,1c,0,a,1g,0,a,2,2,a,5,1,a,7,1,a,3,0,a,17,1,a,a,0,",
  "a,38,1,8,3f,0,a,3,0,a,5,0,a,fn5,0,a,44,g,2,h,f,8,aj,h,8,2a,1,8,1k,7,8,1h,2,8,z,f,a,11,1,8,",
  "1a,0,2,i6,0,8,1r,24,8,28,c,8,g,0,8,2l,0,a,6b,0,a,1,q,4,45,4,a,wa,5,1,8,0,1,2,17,1,19,1,1,5",
  ",0,1,3,m,1,o,1z,1,28,8,1,1l,i,1,k,1,1,7,w,1,10,0,8,1,p,1,v,q,1,1t,1j,1,1o,j,1,m,1a,1,1b,2,",
  "a,4,1,a,7,3,a,4,3,1,5,2,1,4,s,1,v,2,a,7,0,a,1,8,1,g,8,1,g,1r,1,2o,10,1,11,1,a,6,b,1,l,1h,1",
  ",1l,6,8,7,l,1,o,q,1,w,p,1,x,3,1,g,6,1,2f,20,1,5c,1e,1,1m,5,1,6,z,2,10,3,a,c,9,3,g,9,3,a,5,",
  "1,v,4,a,5,0,8,1,m,1,v,1,1,5u,u,3,w,15,1,17,1,a,2,0,1,3,1,1,i,5,2,e,8,8,16,5,a,6,13,1,1c,l,",
  "2,m,a,a,b,8,2,v,h,1,i,3,a,4,3,1,16,r,1,1c,m,1,x,0,a,1j,e,a,q,j,8,u,0,a,3,1,a,c,2,a,1g,3,a,",
  "6,1,a,9,0,a,1q,2,a,13,4,a,6,7,a,1y,0,a,d,1,a,1i,8,a,j,3,a,6,0,a,2o,2,a,5,0,a,2,1,a,8,0,a,3",
  ",0,a,4e,0,a,4,7,a,t,1,a,1n,1,a,5,0,a,12,6,a,a,4,a,23,5,a,j,0,a,2,0,a,2,0,a,f,1,a,2f,7,a,a,",
  "2,a,4,0,a,o,0,a,2d,5,a,7,0,a,5,1,a,3,1,a,6o,3,a,a,1,a,3,1,a,t,1,a,2f,7,a,a,0,a,2,1,a,x,c,8",
  ",23,0,a,2,0,a,3,5,a,7,0,a,2u,0,a,2,0,a,3,3,a,5,4,a,7c,8,a,a,1,a,76,1,a,3,0,a,5,0,a,41,3,a,",
  "6,1,a,6,0,a,x,5,a,8,1,a,16,5,a,8,3,a,c,0,a,a,5,a,8,2,a,1d,c,a,e,1,a,5k,0,a,2,2,a,4,0,a,5m,",
  "6,a,8,5,a,2i,l,a,o,6,a,8,1,a,3,1,a,3g,5,a,9,0,a,2,1,a,3,6,a,8,0,a,21,1,a,5,0,a,2,0,a,9o,1,",
  "a,d,1,a,1i,4,a,a,0,a,2,0,a,o,0,a,3f,7,8,8,3,7,4,g,8,40v,0,a,7,e,a,8uv,b,a,f,2,a,1xf,4,a,1s",
  ",6,a,tb,0,a,1s,3,a,2b,0,8,2,0,a,f5l,1,a,31f,5x,8,6y,2,8,6,c3,8,ca,m,8,12,g,8,w,19,a,1c,m,a",
  ",fr,2,a,k,7,a,a,6,a,11,3,a,1r,1,8,n,1t,8,1u,2,a,3,0,8,57,2e,8,1ds,1i,a,1n,1d,a,1m,0,a,f,0,",
  "a,n,4,a,6,e,a,127,6,a,8,g,a,j,6,a,8,1,a,3,4,a,2x,0,a,4h,6,a,am,0,a,1q,3,a,j,0,7,dp,3,a,76,",
  "1,a,6t,0,a,3,0,a,8,1,a,7,0,a,7f,5g,1,5j,8,1,9,6,a,2a,x,1,y,6,a,7,0,1,5,9,1,e,1,1,lv,1v,2,4",
  "0,1o,2,dr,1,8,7k,17,8,1c,2r,8,34,e,8,h,e,8,g,e,8,g,10,8,1m,4,8,10,0,8,1q,2,8,1s,0,8,4z,5,8",
  ",4g,rc,8,rg,g,8,k,c,8,g,61,8,68,b,8,g,0,8,g,b,8,g,1j,8,1s,9,8,g,13,8,1c,t,8,w,b,8,g,1,8,g,",
  "8,8,1c,9j,8,9s,d,8,g,c,8,g,a,8,e,1k,8,1m,0,8,5,f,8,i,b,8,g,9,8,h,42,8,44,2j,8,2u,0,8",
].join(""));
/** Joining_Type of the code points in IDNA_VALID, as [start, end, type] triples: 1 D, 2 L, 3 R, 4 T (other types are absent). */
const IDNA_JOINING = lazyIdnaTable(3, true, [
  "lc,1r,4,1u,0,4,4,8,4,a,v,4,8j,6,4,7i,18,4,1a,0,4,2,1,4,3,1,4,3,0,4,21,a,4,g,0,1,2,3,3,4,0,",
  "1,1,0,3,1,0,1,1,0,3,1,4,1,5,3,3,4,c,1,e,6,1,7,0,3,1,1,1,2,k,4,z,1,1,2,0,4,1,2,3,8,e,1,f,h,",
  "3,i,11,1,12,0,3,1,1,1,2,8,3,9,0,1,1,0,3,1,0,1,1,0,3,1,1,1,2,1,3,3,0,3,1,6,4,9,5,4,8,1,4,3,",
  "3,4,4,1,3,c,2,1,5,0,1,h,0,3,1,0,4,1,2,1,3,4,3,5,3,1,4,0,3,1,8,1,9,0,3,1,0,1,1,0,3,1,0,1,1,",
  "0,3,1,1,1,2,0,3,1,q,4,t,0,3,1,a,1,b,2,3,3,e,1,f,1,3,2,3,1,4,0,3,1,0,1,1,1,3,2,2,1,3,1,3,2,",
  "5,1,18,a,4,10,w,1,x,8,4,i,0,4,p,3,4,5,8,4,a,2,4,4,4,4,n,0,3,1,4,1,5,1,3,2,0,1,1,0,3,1,9,1,",
  "a,0,3,1,0,1,1,2,3,3,2,4,7,0,1,2,3,1,5,0,3,1,0,1,1,1,3,7,i,3,m,0,1,3,4,1,5,0,3,1,0,1,8,8,4,",
  "9,9,1,a,2,3,4,0,3,1,1,1,2,1,3,2,5,1,6,0,3,1,e,1,g,n,4,p,v,4,2f,0,4,2,0,4,5,7,4,c,0,4,4,6,4",
  ",h,1,4,v,0,4,1n,0,4,5,3,4,c,0,4,l,1,4,s,0,4,3,1,4,1n,0,4,5,1,4,6,1,4,4,2,4,6,0,4,v,1,4,5,0",
  ",4,c,1,4,1n,0,4,5,4,4,6,1,4,6,0,4,l,1,4,o,5,4,7,0,4,1n,0,4,3,0,4,2,3,4,c,0,4,8,1,4,d,1,4,w",
  ",0,4,1q,0,4,d,0,4,1f,0,4,4,0,4,1k,0,4,2,2,4,8,2,4,4,3,4,b,1,4,d,1,4,v,0,4,1n,0,4,3,0,4,7,0",
  ",4,6,1,4,m,1,4,u,1,4,1n,1,4,6,3,4,c,0,4,l,1,4,v,0,4,21,0,4,8,2,4,4,0,4,2j,0,4,3,6,4,j,7,4,",
  "2y,0,4,3,8,4,k,6,4,28,1,4,t,0,4,2,0,4,2,0,4,1k,1,4,3,0,4,6,4,4,6,0,4,2,2,4,4,1,4,7,5,4,7,3",
  ",4,5,3,4,5,3,4,5,3,4,5,3,4,5,b,4,d,2,4,c,0,4,2v,3,4,5,5,4,7,1,4,4,1,4,r,1,4,6,2,4,j,3,4,h,",
  "0,4,3,1,4,8,0,4,g,0,4,jk,2,4,qd,2,4,w,1,4,w,1,4,w,1,4,1x,6,4,f,0,4,3,a,4,k,0,4,16,0,1,p,2g",
  ",1,2t,1,4,2,x,1,y,0,4,1,0,1,3a,2,4,7,1,4,b,0,4,7,2,4,66,1,4,4,0,4,1n,0,4,2,6,4,8,0,4,2,0,4",
  ",3,7,4,e,9,4,c,0,4,1d,19,4,1c,b,4,w,3,4,1g,0,4,2,4,4,6,0,4,6,0,4,15,8,4,l,1,4,y,3,4,6,1,4,",
  "3,2,4,1n,0,4,2,1,4,5,0,4,2,2,4,1p,7,4,a,1,4,4a,2,4,4,c,4,e,6,4,b,0,4,7,0,4,4,1,4,5k,1r,4,l",
  "s,w,4,2e7,2,4,40,0,4,2p,v,4,ga,3,4,33,1,4,n9y,3,4,5,9,4,16,1,4,2a,1,4,7m,0,4,4,0,4,5,0,4,q",
  ",1,4,7,0,4,k,1d,1,1e,0,2,2a,1,4,s,h,4,v,0,4,13,7,4,x,a,4,1l,2,4,1f,0,4,3,3,4,6,1,4,15,0,4,",
  "1w,5,4,8,1,4,4,1,4,e,0,4,9,0,4,1c,0,4,1g,0,4,2,2,4,5,1,4,7,1,4,3,0,4,17,1,4,a,0,4,6n,0,4,3",
  ",0,4,5,0,4,fn5,0,4,le,f,4,rh,0,4,6b,0,4,46,4,4,1aj,2,4,4,1,4,7,3,4,18,2,4,7,0,4,3l,4,1,5,0",
  ",3,2,0,3,2,1,3,4,0,2,1,4,3,5,3,1,4,0,2,1,4,1,5,0,3,1,2,1,3,0,3,3,0,3,1,1,4,6,3,1,4,0,3,41,",
  "0,1,1,0,3,1,0,1,1,2,3,3,2,1,3,0,3,1,1,1,2,0,3,1,0,1,1,1,3,2,0,1,1,0,3,o,3,3,4,1,1,9f,0,2,1",
  ",w,1,x,0,3,1,0,1,1,3,4,1x,4,4,8y,1,4,n,0,3,1,1,1,3,1,1,1g,5,4,1i,2,1,3,0,3,1,g,1,i,a,4,b,2",
  ",1,3,0,3,s,3,1,4,1,3,2,b,1,c,3,4,1a,0,1,2,1,1,2,2,3,4,0,1,1,1,3,2,1,1,2,0,3,1,1,1,3,0,1,1,",
  "1,3,2,0,1,5,0,3,1,0,1,1,0,2,1i,0,4,1j,e,4,1k,0,4,3,1,4,c,2,4,1g,3,4,6,1,4,9,0,4,1q,2,4,13,",
  "4,4,6,7,4,1y,0,4,d,1,4,1i,8,4,j,3,4,6,0,4,2o,2,4,5,0,4,2,1,4,8,0,4,3,0,4,4e,0,4,4,7,4,t,1,",
  "4,1n,1,4,5,0,4,12,6,4,a,4,4,23,5,4,j,0,4,2,0,4,2,0,4,f,1,4,2f,7,4,a,2,4,4,0,4,o,0,4,2d,5,4",
  ",7,0,4,5,1,4,3,1,4,6o,3,4,a,1,4,3,1,4,t,1,4,2f,7,4,a,0,4,2,1,4,30,0,4,2,0,4,3,5,4,7,0,4,2u",
  ",0,4,2,0,4,3,3,4,5,4,4,7c,8,4,a,1,4,76,1,4,3,0,4,5,0,4,41,3,4,6,1,4,6,0,4,x,9,4,1e,5,4,8,3",
  ",4,c,0,4,a,5,4,8,2,4,1d,c,4,e,1,4,5k,0,4,2,2,4,4,0,4,5m,6,4,8,5,4,7,0,4,2b,l,4,o,6,4,8,1,4",
  ",3,1,4,3g,5,4,9,0,4,2,1,4,3,6,4,8,0,4,21,1,4,5,0,4,2,0,4,9o,1,4,d,1,4,1i,4,4,a,0,4,2,0,4,o",
  ",0,4,44m,0,4,7,e,4,8uv,b,4,f,2,4,1xf,4,4,1s,6,4,tb,0,4,1s,3,4,2d,0,4,f5l,1,4,3mr,19,4,1c,m",
  ",4,fr,2,4,k,7,4,a,6,4,11,3,4,48,2,4,1j2,1i,4,1n,1d,4,1m,0,4,f,0,4,n,4,4,6,e,4,127,6,4,8,g,",
  "4,j,6,4,8,1,4,3,4,4,2x,0,4,4h,6,4,am,0,4,1q,3,4,e8,3,4,76,1,4,6t,0,4,3,0,4,8,1,4,7,0,4,d7,",
  "6,4,2a,x,1,y,7,4",
].join(""));
/** Canonical_Combining_Class other than 0, as [start, end, class] triples. */
const IDNA_CCC = lazyIdnaTable(3, true, [
  "lc,k,6e,l,0,6g,1,3,64,4,0,6g,1,0,60,1,4,64,5,1,5m,2,3,64,4,1,5m,2,a,64,b,4,1,5,3,64,4,7,6e",
  ",8,0,6o,1,0,6e,1,2,64,3,2,6e,3,1,64,3,2,6e,3,3,64,4,0,6e,1,0,6g,1,1,64,2,0,6e,1,0,6h,1,1,6",
  "i,2,0,6h,1,1,6i,2,0,6h,1,c,6e,80,4,6e,7i,0,64,1,3,6e,4,0,64,1,2,6e,3,0,66,1,0,64,1,5,6e,6,",
  "5,64,6,1,6e,2,0,64,1,1,6e,2,0,66,1,0,6c,1,0,6e,1,0,a,1,0,b,1,0,c,1,0,d,1,0,e,1,0,f,1,0,g,1",
  ",0,h,1,0,i,1,1,j,2,0,k,1,0,l,1,0,m,2,0,n,2,0,o,1,0,p,2,0,6e,1,0,64,2,0,i,21,7,6e,8,0,u,1,0",
  ",v,1,0,w,1d,0,r,1,0,s,1,0,t,1,0,u,1,0,v,1,0,w,1,0,x,1,0,y,1,1,6e,2,1,64,2,4,6e,5,0,64,1,1,",
  "6e,2,0,64,h,0,z,2u,6,6e,9,3,6e,4,0,64,1,0,6e,3,1,6e,3,0,64,1,1,6e,2,0,64,10,0,10,v,0,6e,1,",
  "0,64,1,1,6e,2,0,64,1,1,6e,2,2,64,3,0,6e,1,1,64,2,0,6e,1,0,64,1,2,6e,3,0,64,1,0,6e,1,0,64,1",
  ",0,6e,1,0,64,1,0,6e,1,0,64,1,1,6e,4i,6,6e,7,0,64,1,0,6e,a,0,64,p,3,6e,5,8,6e,a,2,6e,4,4,6e",
  ",1c,2,64,1q,1,6e,2,2,64,3,3,6e,1a,4,6e,5,4,64,5,d,6e,f,0,64,1,1,6e,2,0,64,1,1,6e,2,0,64,1,",
  "2,6e,3,2,64,3,0,r,1,0,s,1,0,t,1,2,6e,3,0,64,1,1,6e,2,1,64,2,4,6e,1t,0,7,h,0,9,4,0,6e,1,0,6",
  "4,1,1,6e,2x,0,7,h,0,9,1d,0,6e,1q,0,7,h,0,9,33,0,7,h,0,9,33,0,7,h,0,9,3k,0,9,33,0,7,h,0,9,8",
  ",0,2c,1,0,2j,2u,0,7,h,0,9,32,1,9,i,0,9,3h,0,9,32,1,2v,2,0,9,e,3,2z,34,1,3a,2,0,9,e,3,3e,28",
  ",1,64,t,0,64,2,0,64,2,0,60,1k,0,3l,1,0,3m,2,0,3o,6,3,3m,6,0,3m,2,1,6e,2,0,9,2,1,6e,1s,0,64",
  ",35,0,7,2,1,9,2c,0,64,k0,2,6e,qf,1,9,w,0,9,4e,0,9,b,0,6e,5o,0,6c,40,0,66,1,0,6e,1,0,64,64,",
  "0,6e,1,0,64,20,0,9,l,7,6e,a,0,64,1d,4,6e,5,5,64,6,1,6e,2,0,64,2,1,64,2,1,6e,2,1,64,2,4,6e,",
  "5,0,64,1,h,6e,i,0,64,3,5,6e,6,0,64,1,3,6e,4,0,6i,21,0,7,g,0,9,13,0,6e,1,0,64,1,6,6e,1p,1,9",
  ",1o,0,7,c,1,9,1x,0,7,49,2,6e,4,0,1,1,4,64,5,1,6e,2,3,64,4,0,6e,2,6,1,b,0,64,7,0,6e,4,1,6e,",
  "5k,1,6e,2,0,64,1,6,6e,7,0,64,1,1,6e,2,0,6i,1,0,5y,1,0,64,1,0,5m,1,10,6e,11,0,6g,1,1,6c,2,0",
  ",64,1,0,62,1,0,6e,1,0,6h,1,0,64,1,0,6e,1,0,64,k1,1,6e,2,1,1,2,3,6e,4,2,1,3,1,6e,6,0,6e,4,1",
  ",1,2,0,6e,1,0,64,1,0,6e,1,1,1,2,3,64,4,0,6e,2db,2,6e,40,0,9,2p,v,6e,ga,0,62,1,0,6c,1,0,6g,",
  "1,0,66,1,1,68,2z,1,8,n9y,0,6e,5,9,6e,16,1,6e,2a,1,6e,7q,0,9,12,0,9,48,0,9,s,h,6e,23,2,64,1",
  "4,0,9,2o,0,7,d,0,9,6o,0,6e,2,1,6e,2,0,64,3,1,6e,7,1,6e,3,0,6e,1h,0,9,6v,0,9,fn5,0,q,le,6,6",
  "e,7,6,64,7,1,6e,r3,0,64,6b,0,64,46,4,6e,1av,0,64,2,0,6e,15,0,6e,1,0,1,1,0,64,5,0,9,4m,0,6e",
  ",1,0,64,fy,3,6e,1x,4,6e,8y,1,6e,27,1,64,3,2,64,21,1,64,2,2,6e,3,0,64,1,0,6e,1,3,64,1h,0,6e",
  ",1,0,64,1,0,6e,1,0,64,5d,0,9,16,0,9,f,0,9,1m,0,9,1,0,7,1y,2,6e,1f,1,9,1s,0,7,25,0,9,a,0,7,",
  "2z,0,9,1,0,7,4z,0,7,1,0,9,29,1,7,i,0,9,p,6,6e,a,4,6e,2m,2,9,38,0,9,4,0,7,o,0,6e,2s,0,9,1,0",
  ",7,70,0,9,1,0,7,3j,0,9,3b,0,9,1,0,7,38,0,9,7i,0,9,1,0,7,77,1,9,6,0,7,4d,0,9,2c,0,9,j,0,9,2",
  "a,0,9,bq,0,9,77,0,7,2,1,9,2b,0,9,bu,1,9,d0u,0,9,1xd,4,1,1s,6,6e,xs,1,6,f5a,0,1,43r,1,60,2,",
  "2,1,6,0,6a,1,4,60,d,7,64,a,4,6e,5,1,64,w,3,6e,48,2,6e,2pq,6,6e,8,g,6e,j,6,6e,8,1,6e,3,4,6e",
  ",2x,0,6e,4h,6,6e,am,0,6e,1q,3,6e,e8,1,6g,2,0,64,1,0,6e,73,0,6e,1,0,64,6s,0,6e,3,0,6e,8,1,6",
  "e,7,0,6e,d7,6,64,38,5,6e,6,0,7",
].join(""));
/** Canonical decompositions (one level) that decomposing a label of IDNA_VALID code points can meet, as [code point, first, second or 0] triples; Hangul syllables are computed. */
const IDNA_DECOMPOSE = lazyIdnaTable(3, false, [
  "68,2p,lc,1,2p,ld,1,2p,le,1,2p,lf,1,2p,lk,1,2p,lm,2,2r,mf,1,2t,lc,1,2t,ld,1,2t,le,1,2t,lk,1",
  ",2x,lc,1,2x,ld,1,2x,le,1,2x,lk,2,32,lf,1,33,lc,1,33,ld,1,33,le,1,33,lf,1,33,lk,3,39,lc,1,3",
  "9,ld,1,39,le,1,39,lk,1,3d,ld,2,3d,lk,2,2p,lg,2,2p,li,2,2p,mg,2,2r,ld,2,2r,le,2,2r,lj,2,2r,",
  "lo,2,2s,lo,4,2t,lg,2,2t,li,2,2t,lj,2,2t,mg,2,2t,lo,2,2v,le,2,2v,li,2,2v,lj,2,2v,mf,2,2w,le",
  ",4,2x,lf,2,2x,lg,2,2x,li,2,2x,mg,6,2y,le,2,2z,mf,3,30,ld,2,30,mf,2,30,lo,6,32,ld,2,32,mf,2",
  ",32,lo,5,33,lg,2,33,li,2,33,ln,4,36,ld,2,36,mf,2,36,lo,2,37,ld,2,37,le,2,37,mf,2,37,lo,2,3",
  "8,mf,2,38,lo,4,39,lf,2,39,lg,2,39,li,2,39,lm,2,39,ln,2,39,mg,2,3b,le,2,3d,le,3,3e,ld,2,3e,",
  "lj,2,3e,lo,z,33,m3,f,39,m3,u,2p,lo,2,2x,lo,2,33,lo,2,39,lo,2,70,lg,2,70,ld,2,70,lo,2,70,lc",
  ",3,6c,lg,2,fb,lg,2,6e,lg,4,2v,lo,2,2z,lo,2,33,mg,2,dn,lg,2,ia,lo,1,2y,lo,5,2v,ld,4,32,lc,2",
  ",6d,ld,2,6e,ld,2,6w,ld,2,2p,lr,2,2p,lt,2,2t,lr,2,2t,lt,2,2x,lr,2,2x,lt,2,33,lr,2,33,lt,2,3",
  "6,lr,2,36,lt,2,39,lr,2,39,lt,2,37,me,2,38,me,4,2w,lo,8,2p,lj,2,2t,mf,2,6u,lg,2,6t,lg,2,33,",
  "lj,2,fj,lg,2,3d,lg,9p,qy,ld,s,q9,ld,1,qd,ld,1,qf,ld,1,qh,ld,1,qz,ld,q,qh,lk,1,qt,lk,1,qn,l",
  "d,1,qt,ld,1,qx,ld,2z,u0,li,n,tx,lc,1,tx,lk,2,tv,ld,4,uu,lk,5,u2,ld,1,u0,lc,1,ub,li,p,vp,lr",
  ",23,ty,li,f,ts,li,2,ts,lk,4,tx,li,4,yh,lk,2,ty,lk,2,tz,lk,4,u0,lg,2,u0,lk,2,u6,lk,4,yx,lk,",
  "2,ul,lk,2,ub,lg,2,ub,lk,2,ub,ln,2,uf,lk,4,uj,lk,89,17r,18z,1,17r,190,1,18o,190,1,17r,191,1",
  ",18q,190,4a,1cl,190,2,1c1,190,h,1ci,190,gm,1t4,1to,8,1tc,1to,3,1tf,1to,47,1xj,1xa,1,1xj,1x",
  "z,ak,287,28m,3,287,27y,1,287,28n,20,2aa,2c7,1i,2bq,2bi,1,2br,2bi,1,2bq,2c7,3g,2fa,2fq,3c,2",
  "in,2j9,7,2iu,2j9,1,2iu,2ja,2,2iu,2iq,1,2iy,2j9,3j,2me,2m6,1,2mf,2m6,1,2me,2mv,3y,2qh,2q2,2",
  ",2qh,2q7,1,2qk,2q2,1,2qh,2qn,g8,36t,372,25c,5c5,5dh,2,5c7,5dh,2,5c9,5dh,2,5cb,5dh,2,5cd,5d",
  "h,4,5ch,5dh,15,5dm,5dh,2,5do,5dh,3,5dq,5dh,1,5dr,5dh,2,5du,5dh,ji,2p,md,2,2q,lj,2,2q,mb,2,",
  "2q,mp,2,6f,ld,2,2s,lj,2,2s,mb,2,2s,mp,2,2s,mf,2,2s,ml,2,7n,lc,2,7n,ld,2,2t,ml,2,2t,mo,2,fd",
  ",li,2,2u,lj,2,2v,lg,2,2w,lj,2,2w,mb,2,2w,lk,2,2w,mf,2,2w,mm,2,2x,mo,2,6n,ld,2,2z,ld,2,2z,m",
  "b,2,2z,mp,2,30,mb,2,5yv,lg,2,30,mp,2,30,ml,2,31,ld,2,31,lj,2,31,mb,2,32,lj,2,32,mb,2,32,mp",
  ",2,32,ml,2,6t,ld,2,6t,lk,2,99,lc,2,99,ld,2,34,ld,2,34,lj,2,36,lj,2,36,mb,2,5zv,lg,2,36,mp,",
  "2,37,lj,2,37,mb,2,9n,lj,2,9t,lj,2,603,lj,2,38,lj,2,38,mb,2,38,mp,2,38,ml,2,39,mc,2,39,mo,2",
  ",39,ml,2,a1,ld,2,a3,lk,2,3a,lf,2,3a,mb,2,3b,lc,2,3b,ld,2,3b,lk,2,3b,lj,2,3b,mb,2,3c,lj,2,3",
  "c,lk,2,3d,lj,2,3e,le,2,3e,mb,2,3e,mp,1,2w,mp,1,38,lk,1,3b,lm,1,3d,lm,8,2p,mb,2,2p,ll,2,6a,",
  "ld,2,6a,lc,2,6a,ll,2,6a,lf,2,61t,le,2,77,ld,2,77,lc,2,77,ll,2,77,lf,2,61t,li,2,2t,mb,2,2t,",
  "ll,2,2t,lf,2,6i,ld,2,6i,lc,2,6i,ll,2,6i,lf,2,62h,le,2,2x,ll,2,2x,mb,2,33,mb,2,33,ll,2,6s,l",
  "d,2,6s,lc,2,6s,ll,2,6s,lf,2,631,le,2,bl,ld,2,bl,lc,2,bl,ll,2,bl,lf,2,bl,mb,2,39,mb,2,39,ll",
  ",2,c0,ld,2,c0,lc,2,c0,ll,2,c0,lf,2,c0,mb,2,3d,lc,2,3d,mb,2,3d,ll,2,3d,lf,7,q9,lv,1,q9,lw,1",
  ",64g,lc,1,64h,lc,1,64g,ld,1,64h,ld,1,64g,n6,1,64h,n6,9,qd,lv,1,qd,lw,1,64w,lc,1,64x,lc,1,6",
  "4w,ld,1,64x,ld,b,qf,lv,1,qf,lw,1,65c,lc,1,65d,lc,1,65c,ld,1,65d,ld,1,65c,n6,1,65d,n6,9,qh,",
  "lv,1,qh,lw,1,65s,lc,1,65t,lc,1,65s,ld,1,65t,ld,1,65s,n6,1,65t,n6,9,qn,lv,1,qn,lw,1,668,lc,",
  "1,669,lc,1,668,ld,1,669,ld,b,qt,lv,1,qt,lw,1,66o,lc,1,66p,lc,1,66o,ld,1,66p,ld,1,66o,n6,1,",
  "66p,n6,9,qx,lv,1,qx,lw,1,674,lc,1,675,lc,1,674,ld,1,675,ld,1,674,n6,1,675,n6,9,q9,lc,2,qd,",
  "lc,2,qf,lc,2,qh,lc,2,qn,lc,2,qt,lc,2,qx,lc,1g,q9,li,1,q9,lg,5,q9,n6,g,qf,n6,a,qh,li,1,qh,l",
  "g,1,qy,lc,4,qh,n6,1,qy,n6,9,qt,li,1,qt,lg,1,qz,lc,2,qp,lv,1,qp,lw,1,qt,n6,1,qz,n6,f,qx,n6,",
  "bo,6mo,mw,1,6mq,mw,j,6ms,mw,v,6og,mw,1,6ok,mw,1,6oi,mw,1h,6pv,mw,5,6q0,mw,3,6q3,mw,o,6qr,m",
  "w,2,6qt,mw,r,6rg,mw,3,6rn,mw,3,6rp,mw,2,6rs,mw,n,1p,mw,2,6sh,mw,b,6rx,mw,1,1o,mw,1,1q,mw,1",
  ",6sk,mw,1,6sl,mw,3,6sy,mw,1,6sz,mw,3,6t2,mw,1,6t3,mw,7,6t6,mw,1,6t7,mw,3,6te,mw,1,6tf,mw,3",
  ",6ti,mw,1,6tj,mw,z,6ua,mw,1,6ug,mw,1,6uh,mw,1,6uj,mw,1d,6t8,mw,1,6t9,mw,1,6tt,mw,1,6tu,mw,",
  "7,6uq,mw,1,6ur,mw,1,6us,mw,1,6ut,mw,2n3,9jf,9ll,2,9jh,9ll,2,9jj,9ll,2,9jl,9ll,2,9jn,9ll,2,",
  "9jp,9ll,2,9jr,9ll,2,9jt,9ll,2,9jv,9ll,2,9jx,9ll,2,9jz,9ll,2,9k1,9ll,3,9k4,9ll,2,9k6,9ll,2,",
  "9k8,9ll,7,9kf,9ll,1,9kf,9lm,2,9ki,9ll,1,9ki,9lm,2,9kl,9ll,1,9kl,9lm,2,9ko,9ll,1,9ko,9lm,2,",
  "9kr,9ll,1,9kr,9lm,n,9ja,9ll,a,9lp,9ll,e,9m3,9ll,2,9m5,9ll,2,9m7,9ll,2,9m9,9ll,2,9mb,9ll,2,",
  "9md,9ll,2,9mf,9ll,2,9mh,9ll,2,9mj,9ll,2,9ml,9ll,2,9mn,9ll,2,9mp,9ll,3,9ms,9ll,2,9mu,9ll,2,",
  "9mw,9ll,7,9n3,9ll,1,9n3,9lm,2,9n6,9ll,1,9n6,9lm,2,9n9,9ll,1,9n9,9lm,2,9nc,9ll,1,9nc,9lm,2,",
  "9nf,9ll,1,9nf,9lm,n,9ly,9ll,3,9nz,9ll,1,9o0,9ll,1,9o1,9ll,1,9o2,9ll,4,9od,9ll,1617,1fpu,lj",
  ",r,1fq2,lj,246,1huh,1hve,2,1huj,1hve,f,1hut,1hve,3n,1hyp,1hyf,1,1hyq,1hyf,f0,1idj,1ida,1,1",
  "idj,1idz,1j,1if6,1ih5,2,1if8,1igr,9,1iff,1igy,3,1ifk,1ih5,1g,1igy,1igy,2,1igy,1igo,1,1igy,",
  "1ih5,6r,1int,1inu,1,1int,1ink,2,1int,1inx,70,1iuw,1iun,1,1iux,1iun,ot,1jjp,1jjk,e7d,1xr2,1",
  "xr2,1,1xr2,1xrd,1,1xr2,1xr3,1,1xrd,1xr3,1,1xr2,1xr4,1,1xr5,1xr3,1,1xr6,1xr3,1,1xr5,1xr4,2f",
  "4,206f,206f,1,206b,206f,1,206h,206f",
].join(""));
/** Primary composites (canonical decompositions of two code points, not excluded from composition), as [first, second, composite] triples sorted by first, then second; Hangul is computed. */
const IDNA_COMPOSE = lazyIdnaTable(3, false, [
  "1o,mw,6su,1,mw,6sg,1,mw,6sv,3,lc,5c,0,ld,5d,0,le,5e,0,lf,5f,0,lg,74,0,li,76,0,lj,fa,0,lk,5",
  "g,0,ll,61u,0,lm,5h,0,lo,ct,0,lr,e8,0,lt,ea,0,mb,61s,0,md,5xc,0,mg,78,1,lj,5xe,0,mb,5xg,0,m",
  "p,5xi,1,ld,7a,0,le,7c,0,lj,7e,0,lo,7g,0,mf,5j,1,lj,5xm,0,lo,7i,0,mb,5xo,0,mf,5xs,0,ml,5xu,",
  "0,mp,5xq,1,lc,5k,0,ld,5l,0,le,5m,0,lf,62k,0,lg,7m,0,li,7o,0,lj,7q,0,lk,5n,0,ll,62i,0,lo,7u",
  ",0,lr,ec,0,lt,ee,0,mb,62g,0,mf,fc,0,mg,7s,0,ml,5y0,0,mo,5y2,1,lj,5y6,1,ld,dw,0,le,7w,0,lg,",
  "5y8,0,li,7y,0,lj,80,0,lo,di,0,mf,82,1,le,84,0,lj,5ya,0,lk,5ye,0,lo,f2,0,mb,5yc,0,mf,5yg,0,",
  "mm,5yi,1,lc,5o,0,ld,5p,0,le,5q,0,lf,88,0,lg,8a,0,li,8c,0,lj,8g,0,lk,5r,0,ll,62w,0,lo,cv,0,",
  "lr,eg,0,lt,ei,0,mb,62y,0,mg,8e,0,mo,5yk,1,le,8k,1,ld,5yo,0,lo,dk,0,mb,5yq,0,mf,8m,0,mp,5ys",
  ",1,ld,8p,0,lo,8t,0,mb,5yu,0,mf,8r,0,ml,5z0,0,mp,5yy,1,ld,5z2,0,lj,5z4,0,mb,5z6,1,lc,e0,0,l",
  "d,8z,0,lf,5t,0,lj,5z8,0,lo,93,0,mb,5za,0,mf,91,0,ml,5ze,0,mp,5zc,1,lc,5u,0,ld,5v,0,le,5w,0",
  ",lf,5x,0,lg,98,0,li,9a,0,lj,fi,0,lk,5y,0,ll,632,0,ln,9c,0,lo,cx,0,lr,ek,0,lt,em,0,m3,bk,0,",
  "mb,630,0,mg,dm,1,ld,5zo,0,lj,5zq,2,ld,9g,0,lj,5zs,0,lo,9k,0,lr,eo,0,lt,eq,0,mb,5zu,0,mf,9i",
  ",0,mp,5zy,1,ld,9m,0,le,9o,0,lj,600,0,lo,9s,0,mb,602,0,me,ew,0,mf,9q,1,lj,60a,0,lo,9w,0,mb,",
  "60c,0,me,ey,0,mf,9u,0,ml,60g,0,mp,60e,1,lc,61,0,ld,62,0,le,63,0,lf,a0,0,lg,a2,0,li,a4,0,lk",
  ",64,0,ll,63q,0,lm,a6,0,ln,a8,0,lo,cz,0,lr,es,0,lt,eu,0,m3,bz,0,mb,63o,0,mc,60i,0,mg,aa,0,m",
  "l,60m,0,mo,60k,1,lf,60s,0,mb,60u,1,lc,60w,0,ld,60y,0,le,ac,0,lj,612,0,lk,610,0,mb,614,1,lj",
  ",616,0,lk,618,1,lc,642,0,ld,65,0,le,ae,0,lf,648,0,lg,fm,0,lj,61a,0,lk,ag,0,ll,646,0,mb,644",
  ",1,ld,ah,0,le,61c,0,lj,aj,0,lo,al,0,mb,61e,0,mp,61g,7,lc,68,0,ld,69,0,le,6a,0,lf,6b,0,lg,7",
  "5,0,li,77,0,lj,fb,0,lk,6c,0,ll,61v,0,lm,6d,0,lo,cu,0,lr,e9,0,lt,eb,0,mb,61t,0,md,5xd,0,mg,",
  "79,1,lj,5xf,0,mb,5xh,0,mp,5xj,1,ld,7b,0,le,7d,0,lj,7f,0,lo,7h,0,mf,6f,1,lj,5xn,0,lo,7j,0,m",
  "b,5xp,0,mf,5xt,0,ml,5xv,0,mp,5xr,1,lc,6g,0,ld,6h,0,le,6i,0,lf,62l,0,lg,7n,0,li,7p,0,lj,7r,",
  "0,lk,6j,0,ll,62j,0,lo,7v,0,lr,ed,0,lt,ef,0,mb,62h,0,mf,fd,0,mg,7t,0,ml,5y1,0,mo,5y3,1,lj,5",
  "y7,1,ld,dx,0,le,7x,0,lg,5y9,0,li,7z,0,lj,81,0,lo,dj,0,mf,83,1,le,85,0,lj,5yb,0,lk,5yf,0,lo",
  ",f3,0,mb,5yd,0,mf,5yh,0,mm,5yj,0,mp,61i,1,lc,6k,0,ld,6l,0,le,6m,0,lf,89,0,lg,8b,0,li,8d,0,",
  "lk,6n,0,ll,62x,0,lo,cw,0,lr,eh,0,lt,ej,0,mb,62z,0,mg,8f,0,mo,5yl,1,le,8l,0,lo,ds,1,ld,5yp,",
  "0,lo,dl,0,mb,5yr,0,mf,8n,0,mp,5yt,1,ld,8q,0,lo,8u,0,mb,5yv,0,mf,8s,0,ml,5z1,0,mp,5yz,1,ld,",
  "5z3,0,lj,5z5,0,mb,5z7,1,lc,e1,0,ld,90,0,lf,6p,0,lj,5z9,0,lo,94,0,mb,5zb,0,mf,92,0,ml,5zf,0",
  ",mp,5zd,1,lc,6q,0,ld,6r,0,le,6s,0,lf,6t,0,lg,99,0,li,9b,0,lj,fj,0,lk,6u,0,ll,633,0,ln,9d,0",
  ",lo,cy,0,lr,el,0,lt,en,0,m3,bl,0,mb,631,0,mg,dn,1,ld,5zp,0,lj,5zr,2,ld,9h,0,lj,5zt,0,lo,9l",
  ",0,lr,ep,0,lt,er,0,mb,5zv,0,mf,9j,0,mp,5zz,1,ld,9n,0,le,9p,0,lj,601,0,lo,9t,0,mb,603,0,me,",
  "ex,0,mf,9r,1,lj,60b,0,lk,61j,0,lo,9x,0,mb,60d,0,me,ez,0,mf,9v,0,ml,60h,0,mp,60f,1,lc,6x,0,",
  "ld,6y,0,le,6z,0,lf,a1,0,lg,a3,0,li,a5,0,lk,70,0,ll,63r,0,lm,a7,0,ln,a9,0,lo,d0,0,lr,et,0,l",
  "t,ev,0,m3,c0,0,mb,63p,0,mc,60j,0,mg,ab,0,ml,60n,0,mo,60l,1,lf,60t,0,mb,60v,1,lc,60x,0,ld,6",
  "0z,0,le,ad,0,lj,613,0,lk,611,0,lm,61k,0,mb,615,1,lj,617,0,lk,619,1,lc,643,0,ld,71,0,le,af,",
  "0,lf,649,0,lg,fn,0,lj,61b,0,lk,73,0,ll,647,0,lm,61l,0,mb,645,1,ld,ai,0,le,61d,0,lj,ak,0,lo",
  ",am,0,mb,61f,0,mp,61h,1a,lc,6b1,0,ld,p1,0,n6,69t,q,lc,61y,0,ld,61w,0,lf,622,0,ll,620,2,lg,",
  "da,1,ld,e2,1,ld,e4,0,lg,de,1,ld,5xk,3,lc,62o,0,ld,62m,0,lf,62s,0,ll,62q,5,ld,5ym,5,lc,636,",
  "0,ld,634,0,lf,63a,0,ll,638,1,ld,5zg,0,lg,fg,0,lk,5zi,1,lg,fe,2,ld,e6,4,lc,d7,0,ld,d3,0,lg,",
  "d1,0,lo,d5,6,lc,61z,0,ld,61x,0,lf,623,0,ll,621,2,lg,db,1,ld,e3,1,ld,e5,0,lg,df,1,ld,5xl,3,",
  "lc,62p,0,ld,62n,0,lf,62t,0,ll,62r,5,ld,5yn,5,lc,637,0,ld,635,0,lf,63b,0,ll,639,1,ld,5zh,0,",
  "lg,fh,0,lk,5zj,1,lg,ff,2,ld,e7,4,lc,d8,0,ld,d4,0,lg,d2,0,lo,d6,6,lc,628,0,ld,626,0,lf,62c,",
  "0,ll,62a,1,lc,629,0,ld,627,0,lf,62d,0,ll,62b,f,lc,5xw,0,ld,5xy,1,lc,5xx,0,ld,5xz,1l,lc,5zk",
  ",0,ld,5zm,1,lc,5zl,0,ld,5zn,d,lj,604,1,lj,605,5,lj,606,1,lj,607,7,ld,60o,1,ld,60p,1,lk,60q",
  ",1,lk,60r,k,lj,61n,x,lc,63g,0,ld,63e,0,lf,63k,0,ll,63i,0,mb,63m,1,lc,63h,0,ld,63f,0,lf,63l",
  ",0,ll,63j,0,mb,63n,e,lc,63u,0,ld,63s,0,lf,63y,0,ll,63w,0,mb,640,1,lc,63v,0,ld,63t,0,lf,63z",
  ",0,ll,63x,0,mb,641,7,lo,dq,1f,lg,do,1,lg,dp,1n,lg,dc,1,lg,dd,1,li,5y4,1,li,5y5,5,lg,fk,1,l",
  "g,fl,2r,lo,dr,73,lc,69m,0,ld,p2,0,lg,69l,0,li,69k,0,lv,64o,0,lw,64p,0,n9,69o,4,lc,6a0,0,ld",
  ",p4,0,lv,654,0,lw,655,2,lc,6a2,0,ld,p5,0,lv,65k,0,lw,65l,0,n9,6a4,2,lc,6ai,0,ld,p6,0,lg,6a",
  "h,0,li,6ag,0,lk,q2,0,lv,660,0,lw,661,6,lc,6bc,0,ld,p8,0,lv,66g,0,lw,66h,2,lw,6b0,4,lc,6ay,",
  "0,ld,pa,0,lg,6ax,0,li,6aw,0,lk,q3,0,lw,66x,4,lc,6be,0,ld,pb,0,lv,67c,0,lw,67d,0,n9,6bg,3,n",
  "9,69g,2,n9,69w,3,lc,67k,0,ld,q4,0,lg,69d,0,li,69c,0,lv,64g,0,lw,64h,0,n6,69i,0,n9,69f,4,lc",
  ",67m,0,ld,q5,0,lv,64w,0,lw,64x,2,lc,67o,0,ld,q6,0,lv,65c,0,lw,65d,0,n6,69y,0,n9,69v,2,lc,6",
  "7q,0,ld,q7,0,lg,6a9,0,li,6a8,0,lk,qy,0,lv,65s,0,lw,65t,0,n6,6ae,6,lc,67s,0,ld,r0,0,lv,668,",
  "0,lw,669,2,lv,6as,0,lw,6at,4,lc,67u,0,ld,r1,0,lg,6ap,0,li,6ao,0,lk,qz,0,lv,66o,0,lw,66p,0,",
  "n6,6au,4,lc,67w,0,ld,r2,0,lv,674,0,lw,675,0,n6,6ba,0,n9,6b7,1,lc,6aa,0,ld,pc,0,n6,6af,1,lc",
  ",6aq,0,ld,q8,0,n6,6av,3,n9,6b8,4,ld,r7,0,lk,r8,1g,lk,sn,a,li,y8,0,lk,ya,3,ld,sj,2,lc,sg,0,",
  "li,ye,0,lk,sh,1,li,xt,0,lk,yk,1,lk,ym,1,lc,st,0,lg,yq,0,li,t5,0,lk,ys,2,ld,ss,4,lk,yu,5,lg",
  ",z2,0,li,su,0,lk,z4,0,ln,z6,4,lk,z8,4,lk,zc,2,lk,z0,3,li,y9,0,lk,yb,3,ld,ur,2,lc,uo,0,li,y",
  "f,0,lk,up,1,li,xu,0,lk,yl,1,lk,yn,1,lc,v1,0,lg,yr,0,li,u1,0,lk,yt,2,ld,v0,4,lk,yv,5,lg,z3,",
  "0,li,v2,0,lk,z5,0,ln,z7,4,lk,z9,4,lk,zd,2,lk,z1,9,lk,uv,u,lr,vq,1,lr,vr,2r,lk,yi,1,lk,yj,f",
  ",lk,yy,1,lk,yz,8u,18z,17m,0,190,17n,0,191,17p,x,190,17o,2,190,17q,3b,190,1c2,h,190,1cj,3,1",
  "90,1c0,gj,1to,1t5,8,1to,1td,3,1to,1tg,44,1xa,1xn,0,1xz,1xo,ao,27y,28b,0,28m,288,0,28n,28c,",
  "23,2c7,2ac,1g,2bi,2bu,0,2c7,2bw,1,2bi,2bv,3j,2fq,2fc,3d,2j9,2io,7,2iq,2iy,0,2j9,2iv,0,2ja,",
  "2iw,4,2j9,2iz,3g,2m6,2mi,0,2mv,2mk,1,2m6,2mj,42,2q2,2qi,0,2q7,2qk,0,2qn,2qm,3,2q2,2ql,g9,3",
  "72,36u,25c,5dh,5c6,2,5dh,5c8,2,5dh,5ca,2,5dh,5cc,2,5dh,5ce,4,5dh,5ci,15,5dh,5dn,2,5dh,5dp,",
  "2,5dh,5ds,1,5dh,5dt,3,5dh,5dv,l0,lg,5yw,1,lg,5yx,z,lg,5zw,1,lg,5zx,7,lj,608,1,lj,609,1p,le",
  ",624,0,li,62e,1,le,625,0,li,62f,n,le,62u,1,le,62v,j,le,63c,1,le,63d,1f,lc,64i,0,ld,64k,0,n",
  "6,64m,0,n9,680,1,lc,64j,0,ld,64l,0,n6,64n,0,n9,681,1,n9,682,1,n9,683,1,n9,684,1,n9,685,1,n",
  "9,686,1,n9,687,1,lc,64q,0,ld,64s,0,n6,64u,0,n9,688,1,lc,64r,0,ld,64t,0,n6,64v,0,n9,689,1,n",
  "9,68a,1,n9,68b,1,n9,68c,1,n9,68d,1,n9,68e,1,n9,68f,1,lc,64y,0,ld,650,1,lc,64z,0,ld,651,7,l",
  "c,656,0,ld,658,1,lc,657,0,ld,659,7,lc,65e,0,ld,65g,0,n6,65i,0,n9,68g,1,lc,65f,0,ld,65h,0,n",
  "6,65j,0,n9,68h,1,n9,68i,1,n9,68j,1,n9,68k,1,n9,68l,1,n9,68m,1,n9,68n,1,lc,65m,0,ld,65o,0,n",
  "6,65q,0,n9,68o,1,lc,65n,0,ld,65p,0,n6,65r,0,n9,68p,1,n9,68q,1,n9,68r,1,n9,68s,1,n9,68t,1,n",
  "9,68u,1,n9,68v,1,lc,65u,0,ld,65w,0,n6,65y,1,lc,65v,0,ld,65x,0,n6,65z,7,lc,662,0,ld,664,0,n",
  "6,666,1,lc,663,0,ld,665,0,n6,667,7,lc,66a,0,ld,66c,1,lc,66b,0,ld,66d,7,lc,66i,0,ld,66k,1,l",
  "c,66j,0,ld,66l,7,lc,66q,0,ld,66s,0,n6,66u,1,lc,66r,0,ld,66t,0,n6,66v,8,lc,66z,0,ld,671,0,n",
  "6,673,7,lc,676,0,ld,678,0,n6,67a,0,n9,68w,1,lc,677,0,ld,679,0,n6,67b,0,n9,68x,1,n9,68y,1,n",
  "9,68z,1,n9,690,1,n9,691,1,n9,692,1,n9,693,1,lc,67e,0,ld,67g,0,n6,67i,0,n9,694,1,lc,67f,0,l",
  "d,67h,0,n6,67j,0,n9,695,1,n9,696,1,n9,697,1,n9,698,1,n9,699,1,n9,69a,1,n9,69b,1,n9,69e,4,n",
  "9,69u,8,n9,6b6,1m,n9,69j,9,lc,6a5,0,ld,6a6,0,n6,6a7,7,n9,69z,1c,n9,6bb,8,lc,6al,0,ld,6am,0",
  ",n6,6an,b6,mw,6my,2,mw,6mz,2,mw,6ni,1o,mw,6od,2,mw,6of,2,mw,6oe,1b,mw,6pw,5,mw,6q1,3,mw,6q",
  "4,o,mw,6qs,2,mw,6qu,n,mw,6rl,7,mw,6ro,2,mw,6rr,3,mw,6rt,5,mw,6st,k,mw,6si,3,mw,6sw,1,mw,6s",
  "x,d,mw,6t0,1,mw,6t1,3,mw,6t4,1,mw,6t5,3,mw,6tc,1,mw,6td,1,mw,6w0,1,mw,6w1,5,mw,6tg,1,mw,6t",
  "h,3,mw,6tk,1,mw,6tl,a,mw,6w2,1,mw,6w3,g,mw,6uk,6,mw,6ul,1,mw,6um,2,mw,6un,7,mw,6wa,1,mw,6w",
  "b,1,mw,6wc,1,mw,6wd,2oh,9ll,9lg,5,9ll,9jg,2,9ll,9ji,2,9ll,9jk,2,9ll,9jm,2,9ll,9jo,2,9ll,9j",
  "q,2,9ll,9js,2,9ll,9ju,2,9ll,9jw,2,9ll,9jy,2,9ll,9k0,2,9ll,9k2,3,9ll,9k5,2,9ll,9k7,2,9ll,9k",
  "9,7,9ll,9kg,0,9lm,9kh,3,9ll,9kj,0,9lm,9kk,3,9ll,9km,0,9lm,9kn,3,9ll,9kp,0,9lm,9kq,3,9ll,9k",
  "s,0,9lm,9kt,y,9ll,9lq,9,9ll,9o4,5,9ll,9m4,2,9ll,9m6,2,9ll,9m8,2,9ll,9ma,2,9ll,9mc,2,9ll,9m",
  "e,2,9ll,9mg,2,9ll,9mi,2,9ll,9mk,2,9ll,9mm,2,9ll,9mo,2,9ll,9mq,3,9ll,9mt,2,9ll,9mv,2,9ll,9m",
  "x,7,9ll,9n4,0,9lm,9n5,3,9ll,9n7,0,9lm,9n8,3,9ll,9na,0,9lm,9nb,3,9ll,9nd,0,9lm,9ne,3,9ll,9n",
  "g,0,9lm,9nh,k,9ll,9o7,1,9ll,9o8,1,9ll,9o9,1,9ll,9oa,b,9ll,9oe,161h,lj,1fpl,8,lj,1fqc,24f,1",
  "hve,1hui,2,1hve,1huk,a,1hve,1huz,3w,1hyf,1hym,1,1hyf,1hyn,et,1ida,1idn,0,1idz,1ido,1n,1ih5",
  ",1if7,2,1igr,1if9,7,1igy,1ifi,5,1ih5,1ifl,1e,1igo,1ih3,0,1igy,1ih1,0,1ih5,1ih4,6v,1ink,1in",
  "w,0,1inu,1inv,0,1inx,1iny,73,1iun,1iuy,1,1iun,1iuz,os,1jjk,1jjs,e7d,1xr2,1xr5,0,1xr3,1xr7,",
  "0,1xr4,1xr9,0,1xrd,1xr6,3,1xr3,1xra,0,1xr4,1xrc,1,1xr3,1xrb,7,1xr3,1xr8,2ey,206f,206h,4,20",
  "6f,206g,2,206f,206i",
].join(""));
// END IDNA TABLES

// The draft-07 standard formats: the same functions as the Rust runtime's, line for line, over
// the text's code points (`codePoints`; a lone surrogate is one code point of its own), read
// through `cpAt`, which gives `END` past the end.

/** What `cpAt` reads past the end of the text (no code point has this value). */
const END = 0xffffffff;

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    out.push(ch.codePointAt(0) ?? END);
  }
  return out;
}

function cpAt(cp: readonly number[], i: number): number {
  return cp[i] ?? END;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function hexValue(c: number): number {
  return isDigit(c) ? c - 0x30 : (c | 0x20) - 0x61 + 10;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

function inRange(c: number, low: number, high: number): boolean {
  return c >= low && c <= high;
}

/** The value of the `n` ASCII digits at `at`, or -1 if they are not all digits. */
function digitsAt(cp: readonly number[], at: number, n: number): number {
  let value = 0;
  for (let i = at; i < at + n; i++) {
    const c = cpAt(cp, i);
    if (!isDigit(c)) {
      return -1;
    }
    value = value * 10 + (c - 0x30);
  }
  return value;
}

function isFullDateAt(cp: readonly number[], at: number): boolean {
  const year = digitsAt(cp, at, 4);
  const month = digitsAt(cp, at + 5, 2);
  const day = digitsAt(cp, at + 8, 2);
  if (year < 0 || month < 0 || day < 0) {
    return false;
  }
  if (cpAt(cp, at + 4) !== 0x2d || cpAt(cp, at + 7) !== 0x2d || month < 1 || month > 12) {
    return false;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day >= 1 && day <= days;
}

function isFullTimeAt(cp: readonly number[], at: number): boolean {
  const hour = digitsAt(cp, at, 2);
  const minute = digitsAt(cp, at + 3, 2);
  const second = digitsAt(cp, at + 6, 2);
  if (hour < 0 || minute < 0 || second < 0) {
    return false;
  }
  if (cpAt(cp, at + 2) !== 0x3a || cpAt(cp, at + 5) !== 0x3a || hour > 23 || minute > 59 || second > 60) {
    return false;
  }
  let i = at + 8;
  if (cpAt(cp, i) === 0x2e) {
    i += 1;
    const start = i;
    while (isDigit(cpAt(cp, i))) {
      i += 1;
    }
    if (i === start) {
      return false;
    }
  }
  let offset: number;
  const c = cpAt(cp, i);
  if (c === 0x5a || c === 0x7a) {
    offset = 0;
    i += 1;
  } else if (c === 0x2b || c === 0x2d) {
    const oh = digitsAt(cp, i + 1, 2);
    const om = digitsAt(cp, i + 4, 2);
    if (oh < 0 || om < 0) {
      return false;
    }
    if (cpAt(cp, i + 3) !== 0x3a || oh > 23 || om > 59) {
      return false;
    }
    const magnitude = oh * 60 + om;
    offset = c === 0x2b ? magnitude : -magnitude;
    i += 6;
  } else {
    return false;
  }
  if (i !== cp.length) {
    return false;
  }
  const utc = (((hour * 60 + minute - offset) % 1440) + 1440) % 1440;
  return second !== 60 || utc === 23 * 60 + 59;
}

/** Format primitive `date` (RFC 3339 `full-date`). */
export function isDate(s: string): boolean {
  const cp = codePoints(s);
  return cp.length === 10 && isFullDateAt(cp, 0);
}

/** Format primitive `time` (RFC 3339 `full-time`, leap second at 23:59 UTC only). */
export function isTime(s: string): boolean {
  return isFullTimeAt(codePoints(s), 0);
}

/** Format primitive `date-time` (RFC 3339 `date-time`; `T` and `Z` in either case). */
export function isDateTime(s: string): boolean {
  const cp = codePoints(s);
  const t = cpAt(cp, 10);
  return isFullDateAt(cp, 0) && (t === 0x54 || t === 0x74) && isFullTimeAt(cp, 11);
}

function isIpv4In(cp: readonly number[], start: number, end: number): boolean {
  let parts = 0;
  let i = start;
  for (;;) {
    const part = i;
    let value = 0;
    while (i < end && isDigit(cpAt(cp, i)) && i - part < 4) {
      value = value * 10 + (cpAt(cp, i) - 0x30);
      i += 1;
    }
    const len = i - part;
    if (len === 0 || len > 3 || value > 255 || (len > 1 && cpAt(cp, part) === 0x30)) {
      return false;
    }
    parts += 1;
    if (i === end) {
      return parts === 4;
    }
    if (cpAt(cp, i) !== 0x2e || parts === 4) {
      return false;
    }
    i += 1;
  }
}

function isIpv6In(cp: readonly number[], start: number, end: number): boolean {
  let groups = 0;
  let compressed = false;
  let i = start;
  if (cpAt(cp, i) === 0x3a) {
    if (cpAt(cp, i + 1) !== 0x3a) {
      return false;
    }
    compressed = true;
    i += 2;
  }
  while (i < end) {
    let j = i;
    let dotted = false;
    while (j < end && cpAt(cp, j) !== 0x3a) {
      dotted = dotted || cpAt(cp, j) === 0x2e;
      j += 1;
    }
    if (dotted) {
      if (j !== end || !isIpv4In(cp, i, j)) {
        return false;
      }
      groups += 2;
      break;
    }
    if (j === i || j - i > 4) {
      return false;
    }
    for (let k = i; k < j; k++) {
      if (!isHex(cpAt(cp, k))) {
        return false;
      }
    }
    groups += 1;
    if (j === end) {
      break;
    }
    if (cpAt(cp, j + 1) === 0x3a) {
      if (compressed) {
        return false;
      }
      compressed = true;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) {
        return false;
      }
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}

/** Format primitive `ipv4` (RFC 2673 §3.2 dotted quad, no leading zeros). */
export function isIpv4(s: string): boolean {
  const cp = codePoints(s);
  return isIpv4In(cp, 0, cp.length);
}

/** Format primitive `ipv6` (RFC 4291 §2.2, no zone identifier, no brackets). */
export function isIpv6(s: string): boolean {
  const cp = codePoints(s);
  return isIpv6In(cp, 0, cp.length);
}

function punycodeAdaptBias(delta: number, length: number, first: boolean): number {
  delta = first ? Math.floor(delta / 700) : Math.floor(delta / 2);
  delta += Math.floor(delta / length);
  let k = 0;
  while (delta > 455) {
    delta = Math.floor(delta / 35);
    k += 36;
  }
  return k + Math.floor((36 * delta) / (delta + 38));
}

function punycodeDecode(code: readonly number[]): number[] | undefined {
  const dash = code.lastIndexOf(0x2d);
  const output: number[] = dash >= 0 ? code.slice(0, dash) : [];
  let pos = dash >= 0 ? dash + 1 : 0;
  if (output.some((c) => c >= 0x80)) {
    return undefined;
  }
  let n = 128;
  let i = 0;
  let bias = 72;
  while (pos < code.length) {
    const oldI = i;
    let w = 1;
    let k = 36;
    for (;;) {
      const c = cpAt(code, pos);
      pos += 1;
      let digit: number;
      if (c >= 0x61 && c <= 0x7a) {
        digit = c - 0x61;
      } else if (c >= 0x41 && c <= 0x5a) {
        digit = c - 0x41;
      } else if (isDigit(c)) {
        digit = c - 0x30 + 26;
      } else {
        return undefined;
      }
      i += digit * w;
      if (i > 0x10ffff * 0x1000) {
        return undefined;
      }
      const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
      if (digit < t) {
        break;
      }
      w *= 36 - t;
      k += 36;
    }
    const length = output.length + 1;
    bias = punycodeAdaptBias(i - oldI, length, oldI === 0);
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
      return undefined;
    }
    output.splice(i, 0, n);
    i += 1;
  }
  return output;
}

function punycodeEncode(input: readonly number[]): number[] {
  const output: number[] = input.filter((c) => c < 0x80);
  const basic = output.length;
  let handled = basic;
  if (basic > 0) {
    output.push(0x2d);
  }
  let n = 128;
  let delta = 0;
  let bias = 72;
  while (handled < input.length) {
    let m = Infinity;
    for (const c of input) {
      if (c >= n && c < m) {
        m = c;
      }
    }
    if (m === Infinity) {
      m = n;
    }
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of input) {
      if (c < n) {
        delta += 1;
      }
      if (c === n) {
        let q = delta;
        let k = 36;
        for (;;) {
          const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
          if (q < t) {
            break;
          }
          output.push(punycodeDigit(t + ((q - t) % (36 - t))));
          q = Math.floor((q - t) / (36 - t));
          k += 36;
        }
        output.push(punycodeDigit(q));
        bias = punycodeAdaptBias(delta, handled + 1, handled === basic);
        delta = 0;
        handled += 1;
      }
    }
    delta += 1;
    n += 1;
  }
  return output;
}

function punycodeDigit(d: number): number {
  return d < 26 ? 0x61 + d : 0x30 + (d - 26);
}

function inRanges(c: number, ranges: readonly (readonly [number, number])[]): boolean {
  return ranges.some(([low, high]) => low <= c && c <= high);
}

/** Combining marks of the common scripts (the Rust runtime's `MARKS`). */
const MARKS: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f], [0x0483, 0x0489], [0x0591, 0x05bd], [0x05bf, 0x05bf], [0x05c1, 0x05c2],
  [0x05c4, 0x05c5], [0x05c7, 0x05c7], [0x0610, 0x061a], [0x064b, 0x065f], [0x0670, 0x0670],
  [0x06d6, 0x06dc], [0x06df, 0x06e4], [0x06e7, 0x06e8], [0x06ea, 0x06ed], [0x0711, 0x0711],
  [0x0730, 0x074a], [0x07a6, 0x07b0], [0x07eb, 0x07f3], [0x07fd, 0x07fd], [0x0816, 0x0819],
  [0x081b, 0x0823], [0x0825, 0x0827], [0x0829, 0x082d], [0x0859, 0x085b], [0x0898, 0x089f],
  [0x08ca, 0x08e1], [0x08e3, 0x08ff], [0x0900, 0x0903], [0x093a, 0x093c],
  [0x093e, 0x094f], [0x0951, 0x0957], [0x0962, 0x0963], [0x0981, 0x0983], [0x09bc, 0x09bc],
  [0x09be, 0x09cd], [0x09d7, 0x09d7], [0x09e2, 0x09e3], [0x0a01, 0x0a03], [0x0a3c, 0x0a51],
  [0x0a70, 0x0a71], [0x0a75, 0x0a75], [0x0a81, 0x0a83], [0x0abc, 0x0abc], [0x0abe, 0x0acd],
  [0x0ae2, 0x0ae3], [0x0b01, 0x0b03], [0x0b3c, 0x0b3c], [0x0b3e, 0x0b57], [0x0b62, 0x0b63],
  [0x0b82, 0x0b82], [0x0bbe, 0x0bcd], [0x0bd7, 0x0bd7], [0x0c00, 0x0c04], [0x0c3e, 0x0c56],
  [0x0c62, 0x0c63], [0x0c81, 0x0c83], [0x0cbc, 0x0cbc], [0x0cbe, 0x0cd6], [0x0ce2, 0x0ce3],
  [0x0d00, 0x0d03], [0x0d3b, 0x0d3c], [0x0d3e, 0x0d4d], [0x0d57, 0x0d57], [0x0d62, 0x0d63],
  [0x0d81, 0x0d83], [0x0dca, 0x0ddf], [0x0df2, 0x0df3], [0x0e31, 0x0e31], [0x0e34, 0x0e3a],
  [0x0e47, 0x0e4e], [0x0eb1, 0x0eb1], [0x0eb4, 0x0ebc], [0x0ec8, 0x0ecd], [0x0f18, 0x0f19],
  [0x0f35, 0x0f35], [0x0f37, 0x0f37], [0x0f39, 0x0f39], [0x0f3e, 0x0f3f], [0x0f71, 0x0f84],
  [0x0f86, 0x0f87], [0x0f8d, 0x0fbc], [0x102b, 0x103e], [0x1ab0, 0x1aff], [0x1dc0, 0x1dff],
  [0x20d0, 0x20ff], [0x302a, 0x302f], [0x3099, 0x309a], [0xfe00, 0xfe0f], [0xfe20, 0xfe2f],
];

/** The viramas (the Rust runtime's `VIRAMAS`). */
const VIRAMAS: readonly number[] = [
  0x094d, 0x09cd, 0x0a4d, 0x0acd, 0x0b4d, 0x0bcd, 0x0c4d, 0x0ccd, 0x0d3b, 0x0d3c, 0x0d4d,
  0x0dca, 0x0e3a, 0x0eba, 0x0f84, 0x1039, 0x103a, 0x1714, 0x1734, 0x17d2, 0x1a60, 0x1b44,
  0x1baa, 0x1bab, 0x1bf2, 0x1bf3, 0x2d7f, 0xa806, 0xa8c4, 0xa953, 0xa9c0, 0xaaf6, 0xabed,
  0x10a3f, 0x11046, 0x1107f, 0x110b9, 0x11133, 0x11134, 0x111c0, 0x11235, 0x112ea, 0x1134d,
  0x11442, 0x114c2, 0x115bf, 0x1163f, 0x116b6, 0x1172b, 0x11839, 0x119e0, 0x11a34, 0x11a47,
  0x11a99, 0x11c3f, 0x11d44, 0x11d45, 0x11d97,
];

/** Code points a U-label never holds (the Rust runtime's `DISALLOWED`). */
const DISALLOWED: readonly (readonly [number, number])[] = [
  [0x0000, 0x002c], [0x002e, 0x002f], [0x003a, 0x0060], [0x007b, 0x00b6], [0x00b8, 0x00de],
  [0x0386, 0x0386], [0x0388, 0x038f], [0x0391, 0x03ab], [0x0400, 0x042f], [0x0531, 0x0556],
  [0x10a0, 0x10c5], [0x1c90, 0x1cbf], [0x0488, 0x0489], [0x1abe, 0x1abe], [0x20dd, 0x20e0], [0x20e2, 0x20e4], [0xa670, 0xa672],
  [0x00f7, 0x00f7], [0x0640, 0x0640], [0x07fa, 0x07fa], [0x1100, 0x11ff], [0xa960, 0xa97f], [0xd7b0, 0xd7ff], [0x1680, 0x1680],
  [0x180b, 0x180e], [0x2000, 0x200b], [0x200e, 0x2064], [0x2066, 0x206f], [0x2070, 0x20cf], [0x2100, 0x2bff],
  [0x3000, 0x3000], [0x302e, 0x302f], [0x3031, 0x3035], [0x303b, 0x303b], [0x3164, 0x3164],
  [0xd800, 0xf8ff], [0xfb00, 0xfb06], [0xfb13, 0xfb17], [0xfdd0, 0xfdef], [0xfe10, 0xfe1f],
  [0xfe30, 0xfe4f], [0xfe50, 0xfe6f], [0xfeff, 0xfeff], [0xff00, 0xffef], [0xfff0, 0xffff],
  [0xe0000, 0xe0fff], [0xf0000, 0x10ffff],
];

function isNoncharacter(c: number): boolean {
  return (c & 0xfffe) === 0xfffe || (c >= 0xfdd0 && c <= 0xfdef);
}

function isGreek(c: number): boolean {
  return (inRange(c, 0x0370, 0x03ff) && c !== 0x0375 && c !== 0x037e && c !== 0x0385 && c !== 0x0387) || inRange(c, 0x1f00, 0x1fff);
}

function isHebrew(c: number): boolean {
  return inRange(c, 0x0591, 0x05f4) || inRange(c, 0xfb1d, 0xfb4f);
}

function isKanaOrHan(c: number): boolean {
  return (
    inRange(c, 0x3041, 0x309f) ||
    (inRange(c, 0x30a0, 0x30ff) && c !== 0x30fb) ||
    inRange(c, 0x31f0, 0x31ff) ||
    inRange(c, 0x3005, 0x3007) ||
    inRange(c, 0x3021, 0x3029) ||
    inRange(c, 0x3038, 0x303a) ||
    inRange(c, 0x3400, 0x4dbf) ||
    inRange(c, 0x4e00, 0x9fff) ||
    inRange(c, 0xf900, 0xfaff) ||
    inRange(c, 0x20000, 0x3ffff)
  );
}

const JOINING_RIGHT: readonly (readonly [number, number])[] = [
  [0x0622, 0x0625], [0x0627, 0x0627], [0x0629, 0x0629], [0x062f, 0x0632], [0x0648, 0x0648],
  [0x0671, 0x0673], [0x0675, 0x0677], [0x0688, 0x0699], [0x06c0, 0x06c0], [0x06c3, 0x06cb],
  [0x06cd, 0x06cd], [0x06cf, 0x06cf], [0x06d2, 0x06d3], [0x06d5, 0x06d5], [0x06ee, 0x06ef],
];

const JOINING_DUAL: readonly (readonly [number, number])[] = [
  [0x0620, 0x0620], [0x0626, 0x0626], [0x0628, 0x0628], [0x062a, 0x062e], [0x0633, 0x063f],
  [0x0641, 0x0647], [0x0649, 0x064a], [0x066e, 0x066f], [0x0678, 0x0687], [0x069a, 0x06bf],
  [0x06c1, 0x06c2], [0x06cc, 0x06cc], [0x06ce, 0x06ce], [0x06d0, 0x06d1], [0x06fa, 0x06fc],
  [0x06ff, 0x06ff],
];

function joiningType(c: number): string {
  if (inRanges(c, JOINING_RIGHT)) {
    return "R";
  }
  if (inRanges(c, JOINING_DUAL)) {
    return "D";
  }
  if (inRanges(c, MARKS) || c === 0x200b) {
    return "T";
  }
  return "U";
}

function bidiClass(c: number): string {
  if (isDigit(c) || inRange(c, 0x06f0, 0x06f9)) {
    return "E";
  }
  if (inRange(c, 0x0600, 0x0605) || inRange(c, 0x0660, 0x0669) || inRange(c, 0x066b, 0x066c) || c === 0x06dd) {
    return "N";
  }
  if (inRanges(c, MARKS)) {
    return "M";
  }
  if (inRange(c, 0x0590, 0x05ff) || inRange(c, 0x07c0, 0x085f) || inRange(c, 0xfb1d, 0xfb4f) || inRange(c, 0x10800, 0x10fff) || inRange(c, 0x1e800, 0x1edff)) {
    return "R";
  }
  if (inRange(c, 0x0600, 0x07bf) || inRange(c, 0x0860, 0x08ff) || inRange(c, 0xfb50, 0xfdff) || inRange(c, 0xfe70, 0xfeff) || inRange(c, 0x1ee00, 0x1eeff)) {
    return "A";
  }
  if (c < 0x41 || inRange(c, 0x5b, 0x60) || inRange(c, 0x7b, 0xbf) || inRange(c, 0x2000, 0x206f)) {
    return "S";
  }
  return "L";
}

function isRtlLabel(label: readonly number[]): boolean {
  return label.some((c) => {
    const b = bidiClass(c);
    return b === "R" || b === "A" || b === "N";
  });
}

function idnHostnameBidiRule(label: readonly number[]): boolean {
  const classes = label.map(bidiClass);
  const first = classes[0];
  if (first === undefined) {
    return false;
  }
  let last = first;
  for (let i = classes.length - 1; i >= 0; i--) {
    const b = classes[i] ?? "M";
    if (b !== "M") {
      last = b;
      break;
    }
  }
  if (first === "R" || first === "A") {
    return (
      classes.every((b) => b !== "L") &&
      (last === "R" || last === "A" || last === "E" || last === "N") &&
      !(classes.includes("E") && classes.includes("N"))
    );
  }
  if (first === "L") {
    return classes.every((b) => b !== "R" && b !== "A" && b !== "N") && (last === "L" || last === "E");
  }
  return false;
}

function isULabel(label: readonly number[]): boolean {
  const len = label.length;
  if (len === 0 || cpAt(label, 0) === 0x2d || cpAt(label, len - 1) === 0x2d || (cpAt(label, 2) === 0x2d && cpAt(label, 3) === 0x2d)) {
    return false;
  }
  if (inRanges(cpAt(label, 0), MARKS)) {
    return false;
  }
  const arabicIndic = label.some((c) => inRange(c, 0x0660, 0x0669));
  const extendedArabicIndic = label.some((c) => inRange(c, 0x06f0, 0x06f9));
  if (arabicIndic && extendedArabicIndic) {
    return false;
  }
  for (let i = 0; i < len; i++) {
    const c = cpAt(label, i);
    const before = i === 0 ? END : cpAt(label, i - 1);
    const after = cpAt(label, i + 1);
    let ok: boolean;
    if (c === 0x00b7) {
      ok = before === 0x6c && after === 0x6c;
    } else if (c === 0x0375) {
      ok = isGreek(after);
    } else if (c === 0x05f3 || c === 0x05f4) {
      ok = isHebrew(before);
    } else if (c === 0x30fb) {
      ok = label.some(isKanaOrHan);
    } else if (c === 0x200d) {
      ok = VIRAMAS.includes(before);
    } else if (c === 0x200c) {
      ok = VIRAMAS.includes(before) || zwnjJoins(label, i);
    } else {
      ok = c === 0x2d || isDigit(c) || inRange(c, 0x61, 0x7a) || (c >= 0x80 && !inRanges(c, DISALLOWED) && !isNoncharacter(c));
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

function zwnjJoins(label: readonly number[], at: number): boolean {
  let left = false;
  for (let i = at - 1; i >= 0; i--) {
    const t = joiningType(cpAt(label, i));
    if (t === "T") {
      continue;
    }
    left = t === "D";
    break;
  }
  let right = false;
  for (let j = at + 1; ; j++) {
    const t = joiningType(cpAt(label, j));
    if (t === "T") {
      continue;
    }
    right = t === "R" || t === "D";
    break;
  }
  return left && right;
}

function ldhLabel(label: readonly number[]): number[] | undefined {
  const len = label.length;
  if (len === 0 || len > 63 || cpAt(label, 0) === 0x2d || cpAt(label, len - 1) === 0x2d) {
    return undefined;
  }
  if (!label.every((c) => isAlpha(c) || isDigit(c) || c === 0x2d)) {
    return undefined;
  }
  const isALabel = lower(cpAt(label, 0)) === 0x78 && lower(cpAt(label, 1)) === 0x6e && cpAt(label, 2) === 0x2d && cpAt(label, 3) === 0x2d;
  if (!isALabel) {
    return label.slice();
  }
  const code = label.slice(4).map(lower);
  const decoded = punycodeDecode(code);
  if (decoded === undefined || !decoded.some((c) => c >= 0x80) || !sameCodePoints(punycodeEncode(decoded), code) || !isULabel(decoded)) {
    return undefined;
  }
  return decoded;
}

function sameCodePoints(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

function passesBidi(labels: readonly number[][]): boolean {
  return !labels.some(isRtlLabel) || labels.every(idnHostnameBidiRule);
}

function splitCodePoints(cp: readonly number[], isSeparator: (c: number) => boolean): number[][] {
  const out: number[][] = [[]];
  for (const c of cp) {
    if (isSeparator(c)) {
      out.push([]);
    } else {
      out[out.length - 1]?.push(c);
    }
  }
  return out;
}

/** Format primitive `hostname` (RFC 1123 host names; an `xn--` label must be a valid A-label). */
export function isHostname(s: string): boolean {
  const cp = codePoints(s);
  if (cp.length === 0 || cp.length > 253) {
    return false;
  }
  const labels: number[][] = [];
  for (const label of splitCodePoints(cp, (c) => c === 0x2e)) {
    const l = ldhLabel(label);
    if (l === undefined) {
      return false;
    }
    labels.push(l);
  }
  return passesBidi(labels);
}

/** Format primitive `idn-hostname` (RFC 5890 §2.3.2.3 internationalized host names). */
export function isIdnHostname(s: string): boolean {
  const cp = codePoints(s);
  if (cp.length === 0) {
    return false;
  }
  const labels: number[][] = [];
  let total = 0;
  for (const label of splitCodePoints(cp, (c) => c === 0x2e || c === 0x3002 || c === 0xff0e || c === 0xff61)) {
    if (label.every((c) => c < 0x80)) {
      const l = ldhLabel(label);
      if (l === undefined) {
        return false;
      }
      labels.push(l);
      total += label.length + 1;
    } else {
      if (label.length > 59) {
        return false;
      }
      const aLabel = punycodeEncode(label).length + 4;
      if (aLabel > 63 || !isULabel(label)) {
        return false;
      }
      labels.push(label);
      total += aLabel + 1;
    }
  }
  return total - 1 <= 253 && passesBidi(labels);
}

function isAtext(c: number, international: boolean): boolean {
  return (
    isAlpha(c) ||
    isDigit(c) ||
    c === 0x21 ||
    inRange(c, 0x23, 0x27) ||
    c === 0x2a ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2f ||
    c === 0x3d ||
    c === 0x3f ||
    inRange(c, 0x5e, 0x60) ||
    inRange(c, 0x7b, 0x7e) ||
    (international && c >= 0x80)
  );
}

function utf8Len(c: number): number {
  return c <= 0x7f ? 1 : c <= 0x7ff ? 2 : c <= 0xffff ? 3 : 4;
}

function isLocalPart(cp: readonly number[], end: number, international: boolean): boolean {
  let octets = 0;
  for (let i = 0; i < end; i++) {
    octets += utf8Len(cpAt(cp, i));
  }
  if (end === 0 || octets > 64) {
    return false;
  }
  if (cpAt(cp, 0) === 0x22) {
    if (end < 2 || cpAt(cp, end - 1) !== 0x22) {
      return false;
    }
    let i = 1;
    while (i < end - 1) {
      const c = cpAt(cp, i);
      if (c === 0x5c) {
        const next = cpAt(cp, i + 1);
        if (i + 1 >= end - 1 || !(inRange(next, 0x20, 0x7e) || (international && next >= 0x80))) {
          return false;
        }
        i += 2;
      } else if (c === 0x20 || c === 0x21 || inRange(c, 0x23, 0x5b) || inRange(c, 0x5d, 0x7e) || (international && c >= 0x80)) {
        i += 1;
      } else {
        return false;
      }
    }
    return true;
  }
  let previousDot = true;
  for (let i = 0; i < end; i++) {
    const c = cpAt(cp, i);
    if (c === 0x2e) {
      if (previousDot) {
        return false;
      }
      previousDot = true;
    } else if (isAtext(c, international)) {
      previousDot = false;
    } else {
      return false;
    }
  }
  return !previousDot;
}

function isMailbox(s: string, international: boolean): boolean {
  const cp = codePoints(s);
  const at = cp.lastIndexOf(0x40);
  if (at < 0 || !isLocalPart(cp, at, international)) {
    return false;
  }
  const domain = cp.slice(at + 1);
  if (cpAt(domain, 0) === 0x5b) {
    const end = domain.length;
    if (end < 2 || cpAt(domain, end - 1) !== 0x5d) {
      return false;
    }
    if (sameCodePoints(domain.slice(1, 6), [0x49, 0x50, 0x76, 0x36, 0x3a])) {
      return isIpv6In(domain, 6, end - 1);
    }
    return isIpv4In(domain, 1, end - 1);
  }
  let text = "";
  for (const c of domain) {
    text += String.fromCodePoint(c);
  }
  return international ? isIdnHostname(text) : isHostname(text);
}

/** Format primitive `email` (an RFC 5321 §4.1.2 `Mailbox`). */
export function isEmail(s: string): boolean {
  return isMailbox(s, false);
}

/** Format primitive `idn-email` (an RFC 6531 §3.3 `Mailbox`). */
export function isIdnEmail(s: string): boolean {
  return isMailbox(s, true);
}

function isUnreserved(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

function isSubDelim(c: number): boolean {
  return c === 0x21 || c === 0x24 || inRange(c, 0x26, 0x2c) || c === 0x3b || c === 0x3d;
}

function isUcschar(c: number): boolean {
  return inRange(c, 0xa0, 0xd7ff) || inRange(c, 0xf900, 0xfdcf) || inRange(c, 0xfdf0, 0xffef) || (c >= 0x10000 && c <= 0xefffd && (c & 0xfffe) !== 0xfffe);
}

function isIprivate(c: number): boolean {
  return inRange(c, 0xe000, 0xf8ff) || (c >= 0xf0000 && c <= 0x10fffd && (c & 0xfffe) !== 0xfffe);
}

function isRunOf(cp: readonly number[], start: number, end: number, allowed: (c: number) => boolean): boolean {
  let i = start;
  while (i < end) {
    const c = cpAt(cp, i);
    if (c === 0x25) {
      if (i + 2 >= end || !isHex(cpAt(cp, i + 1)) || !isHex(cpAt(cp, i + 2))) {
        return false;
      }
      i += 3;
    } else if (allowed(c)) {
      i += 1;
    } else {
      return false;
    }
  }
  return true;
}

function findFrom(cp: readonly number[], start: number, end: number, c: number): number {
  for (let i = start; i < end; i++) {
    if (cpAt(cp, i) === c) {
      return i;
    }
  }
  return -1;
}

function isAuthority(cp: readonly number[], start: number, end: number, iri: boolean): boolean {
  let host = start;
  const at = findFrom(cp, start, end, 0x40);
  if (at >= 0) {
    const userinfo = (c: number): boolean => isUnreserved(c) || isSubDelim(c) || c === 0x3a || (iri && isUcschar(c));
    if (!isRunOf(cp, start, at, userinfo)) {
      return false;
    }
    host = at + 1;
  }
  let portFrom: number;
  if (cpAt(cp, host) === 0x5b) {
    const close = findFrom(cp, host, end, 0x5d);
    if (close < 0) {
      return false;
    }
    const v = cpAt(cp, host + 1);
    let literalOk: boolean;
    if (v === 0x76 || v === 0x56) {
      let i = host + 2;
      while (i < close && isHex(cpAt(cp, i))) {
        i += 1;
      }
      literalOk = i > host + 2 && cpAt(cp, i) === 0x2e && i + 1 < close;
      for (let k = i + 1; literalOk && k < close; k++) {
        const c = cpAt(cp, k);
        literalOk = isUnreserved(c) || isSubDelim(c) || c === 0x3a;
      }
    } else {
      literalOk = isIpv6In(cp, host + 1, close);
    }
    if (!literalOk) {
      return false;
    }
    portFrom = close + 1;
    if (portFrom !== end && cpAt(cp, portFrom) !== 0x3a) {
      return false;
    }
  } else {
    const colon = findFrom(cp, host, end, 0x3a);
    portFrom = colon < 0 ? end : colon;
    const regName = (c: number): boolean => isUnreserved(c) || isSubDelim(c) || (iri && isUcschar(c));
    if (!isRunOf(cp, host, portFrom, regName)) {
      return false;
    }
  }
  for (let i = portFrom + 1; i < end; i++) {
    if (!isDigit(cpAt(cp, i))) {
      return false;
    }
  }
  return true;
}

function isUriLike(s: string, iri: boolean, relative: boolean): boolean {
  const cp = codePoints(s);
  const len = cp.length;
  const pchar = (c: number): boolean => isUnreserved(c) || isSubDelim(c) || c === 0x3a || c === 0x40 || (iri && isUcschar(c));
  const hash = findFrom(cp, 0, len, 0x23);
  const fragmentAt = hash < 0 ? len : hash;
  const question = findFrom(cp, 0, fragmentAt, 0x3f);
  const queryAt = question < 0 ? fragmentAt : question;
  const fragment = (c: number): boolean => pchar(c) || c === 0x2f || c === 0x3f;
  const query = (c: number): boolean => fragment(c) || (iri && isIprivate(c));
  if (!isRunOf(cp, fragmentAt + 1, len, fragment) || !isRunOf(cp, queryAt + 1, fragmentAt, query)) {
    return false;
  }
  let i = 0;
  let scheme = false;
  if (isAlpha(cpAt(cp, 0))) {
    let j = 1;
    while (isAlpha(cpAt(cp, j)) || isDigit(cpAt(cp, j)) || cpAt(cp, j) === 0x2b || cpAt(cp, j) === 0x2d || cpAt(cp, j) === 0x2e) {
      j += 1;
    }
    if (cpAt(cp, j) === 0x3a && j < queryAt) {
      scheme = true;
      i = j + 1;
    }
  }
  if (!scheme && !relative) {
    return false;
  }
  const end = queryAt;
  if (cpAt(cp, i) === 0x2f && cpAt(cp, i + 1) === 0x2f && i + 1 < end) {
    const start = i + 2;
    const slash = findFrom(cp, start, end, 0x2f);
    const authorityEnd = slash < 0 ? end : slash;
    if (!isAuthority(cp, start, authorityEnd, iri)) {
      return false;
    }
    i = authorityEnd;
  } else if (!scheme) {
    const slash = findFrom(cp, i, end, 0x2f);
    const firstEnd = slash < 0 ? end : slash;
    if (findFrom(cp, i, firstEnd, 0x3a) >= 0) {
      return false;
    }
  }
  return isRunOf(cp, i, end, (c) => pchar(c) || c === 0x2f);
}

/** Format primitive `uri` (an RFC 3986 §3 URI). */
export function isUri(s: string): boolean {
  return isUriLike(s, false, false);
}

/** Format primitive `uri-reference` (an RFC 3986 §4.1 URI reference). */
export function isUriReference(s: string): boolean {
  return isUriLike(s, false, true);
}

/** Format primitive `iri` (an RFC 3987 §2.2 IRI). */
export function isIri(s: string): boolean {
  return isUriLike(s, true, false);
}

/** Format primitive `iri-reference` (an RFC 3987 §2.2 IRI reference). */
export function isIriReference(s: string): boolean {
  return isUriLike(s, true, true);
}

function isJsonPointerFrom(cp: readonly number[], start: number): boolean {
  if (start < cp.length && cpAt(cp, start) !== 0x2f) {
    return false;
  }
  let i = start;
  while (i < cp.length) {
    if (cpAt(cp, i) === 0x7e) {
      const next = cpAt(cp, i + 1);
      if (next !== 0x30 && next !== 0x31) {
        return false;
      }
      i += 1;
    }
    i += 1;
  }
  return true;
}

/** Format primitive `json-pointer` (RFC 6901 §3). */
export function isJsonPointer(s: string): boolean {
  return isJsonPointerFrom(codePoints(s), 0);
}

/** Format primitive `relative-json-pointer` (a non-negative integer, then `#` or a JSON pointer). */
export function isRelativeJsonPointer(s: string): boolean {
  const cp = codePoints(s);
  let i = 0;
  while (isDigit(cpAt(cp, i))) {
    i += 1;
  }
  if (i === 0 || (i > 1 && cpAt(cp, 0) === 0x30)) {
    return false;
  }
  return (cpAt(cp, i) === 0x23 && i + 1 === cp.length) || isJsonPointerFrom(cp, i);
}

const URI_TEMPLATE_OPERATORS: readonly number[] = [0x2b, 0x23, 0x2e, 0x2f, 0x3b, 0x3f, 0x26, 0x3d, 0x2c, 0x21, 0x40, 0x7c];

/** Format primitive `uri-template` (RFC 6570 §2 syntax; `'` allowed in literals). */
export function isUriTemplate(s: string): boolean {
  const cp = codePoints(s);
  const len = cp.length;
  let i = 0;
  while (i < len) {
    const c = cpAt(cp, i);
    if (c === 0x7b) {
      i += 1;
      if (URI_TEMPLATE_OPERATORS.includes(cpAt(cp, i))) {
        i += 1;
      }
      for (;;) {
        let chars = 0;
        for (;;) {
          const v = cpAt(cp, i);
          if (isAlpha(v) || isDigit(v) || v === 0x5f) {
            i += 1;
          } else if (v === 0x25 && isHex(cpAt(cp, i + 1)) && isHex(cpAt(cp, i + 2))) {
            i += 3;
          } else if (v === 0x2e && chars > 0 && cpAt(cp, i + 1) !== 0x2e) {
            i += 1;
            continue;
          } else {
            break;
          }
          chars += 1;
        }
        if (chars === 0 || cpAt(cp, i - 1) === 0x2e) {
          return false;
        }
        if (cpAt(cp, i) === 0x3a) {
          i += 1;
          const start = i;
          while (isDigit(cpAt(cp, i)) && i - start < 5) {
            i += 1;
          }
          if (i === start || i - start > 4 || cpAt(cp, start) === 0x30) {
            return false;
          }
        } else if (cpAt(cp, i) === 0x2a) {
          i += 1;
        }
        const next = cpAt(cp, i);
        if (next === 0x2c) {
          i += 1;
        } else if (next === 0x7d) {
          break;
        } else {
          return false;
        }
      }
      i += 1;
    } else if (c === 0x25) {
      if (!isHex(cpAt(cp, i + 1)) || !isHex(cpAt(cp, i + 2))) {
        return false;
      }
      i += 3;
    } else if (
      c === 0x21 ||
      inRange(c, 0x23, 0x24) ||
      inRange(c, 0x26, 0x3b) ||
      c === 0x3d ||
      inRange(c, 0x3f, 0x5b) ||
      c === 0x5d ||
      c === 0x5f ||
      inRange(c, 0x61, 0x7a) ||
      c === 0x7e ||
      isUcschar(c) ||
      isIprivate(c)
    ) {
      i += 1;
    } else {
      return false;
    }
  }
  return true;
}

/** How deeply groups may nest in a `regex` (the Rust runtime's `REGEX_MAX_DEPTH`). */
const REGEX_MAX_DEPTH = 256;

/** The ECMA-262 pattern parser (the Rust runtime's `RegexParser`). */
class RegexParser {
  i = 0;
  depth = 0;
  groups = 0;
  names = new Set<string>();
  references: number[][] = [];
  maxBackreference = 0;

  constructor(readonly cp: readonly number[]) {}

  peek(): number {
    return cpAt(this.cp, this.i);
  }

  peekAt(k: number): number {
    return cpAt(this.cp, this.i + k);
  }

  eat(c: number): boolean {
    if (this.peek() === c) {
      this.i += 1;
      return true;
    }
    return false;
  }

  disjunction(): boolean {
    this.depth += 1;
    if (this.depth > REGEX_MAX_DEPTH) {
      return false;
    }
    const ok = this.alternatives();
    this.depth -= 1;
    return ok;
  }

  alternatives(): boolean {
    for (;;) {
      if (!this.alternative()) {
        return false;
      }
      if (!this.eat(0x7c)) {
        return true;
      }
    }
  }

  alternative(): boolean {
    for (;;) {
      const c = this.peek();
      if (c === END || c === 0x7c || c === 0x29) {
        return true;
      }
      if (!this.term()) {
        return false;
      }
    }
  }

  term(): boolean {
    const c = this.peek();
    if (c === 0x5e || c === 0x24) {
      this.i += 1;
      return !this.atQuantifier();
    }
    if (c === 0x5c && (this.peekAt(1) === 0x62 || this.peekAt(1) === 0x42)) {
      this.i += 2;
      return !this.atQuantifier();
    }
    if (c === 0x28 && this.peekAt(1) === 0x3f) {
      const a = this.peekAt(2);
      const b = this.peekAt(3);
      const look = a === 0x3d || a === 0x21 ? 3 : a === 0x3c && (b === 0x3d || b === 0x21) ? 4 : 0;
      if (look > 0) {
        this.i += look;
        if (!this.disjunction() || !this.eat(0x29)) {
          return false;
        }
        return !this.atQuantifier();
      }
    }
    if (!this.atom()) {
      return false;
    }
    return this.quantifier();
  }

  atQuantifier(): boolean {
    const c = this.peek();
    return c === 0x2a || c === 0x2b || c === 0x3f || c === 0x7b;
  }

  quantifier(): boolean {
    const c = this.peek();
    if (c === 0x2a || c === 0x2b || c === 0x3f) {
      this.i += 1;
    } else if (c === 0x7b) {
      this.i += 1;
      const low = this.decimal();
      if (low === undefined) {
        return false;
      }
      if (this.eat(0x2c)) {
        if (this.peek() !== 0x7d) {
          const high = this.decimal();
          if (high === undefined) {
            return false;
          }
          if (compareDecimal(low, high) > 0) {
            return false;
          }
        }
      }
      if (!this.eat(0x7d)) {
        return false;
      }
    } else {
      return true;
    }
    this.eat(0x3f);
    return !this.atQuantifier();
  }

  decimal(): number[] | undefined {
    const start = this.i;
    while (isDigit(this.peek())) {
      this.i += 1;
    }
    const digits = this.cp.slice(start, this.i);
    if (digits.length === 0) {
      return undefined;
    }
    let first = digits.findIndex((d) => d !== 0x30);
    if (first < 0) {
      first = digits.length;
    }
    return digits.slice(first);
  }

  atom(): boolean {
    const c = this.peek();
    if (c === 0x2e) {
      this.i += 1;
      return true;
    }
    if (c === 0x28) {
      this.i += 1;
      if (this.peek() === 0x3f) {
        if (this.peekAt(1) === 0x3a) {
          this.i += 2;
        } else if (this.peekAt(1) === 0x3c) {
          this.i += 2;
          const name = this.groupName();
          if (name === undefined || this.names.has(name.join(","))) {
            return false;
          }
          this.names.add(name.join(","));
          this.groups += 1;
        } else {
          return false;
        }
      } else {
        this.groups += 1;
      }
      return this.disjunction() && this.eat(0x29);
    }
    if (c === 0x5b) {
      return this.characterClass();
    }
    if (c === 0x5c) {
      this.i += 1;
      return this.atomEscape();
    }
    if (c === 0x29 || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x7c || c === 0x2a || c === 0x2b || c === 0x3f || c === END) {
      return false;
    }
    this.i += 1;
    return true;
  }

  groupName(): number[] | undefined {
    const name: number[] = [];
    for (;;) {
      let c: number | undefined = this.peek();
      if (c === END) {
        return undefined;
      }
      if (c === 0x3e) {
        this.i += 1;
        return name.length === 0 ? undefined : name;
      }
      if (c === 0x5c) {
        if (this.peekAt(1) !== 0x75) {
          return undefined;
        }
        this.i += 2;
        c = this.unicodeEscapeBody();
        if (c === undefined) {
          return undefined;
        }
      } else {
        this.i += 1;
      }
      const ok = name.length === 0 ? isIdStart(c) : isIdContinue(c);
      if (!ok) {
        return undefined;
      }
      name.push(c);
    }
  }

  unicodeEscapeBody(): number | undefined {
    if (this.eat(0x7b)) {
      const start = this.i;
      let value = 0;
      while (isHex(this.peek())) {
        value = Math.min(value * 16 + hexValue(this.peek()), 0xffffffff);
        this.i += 1;
      }
      if (this.i === start || value > 0x10ffff || !this.eat(0x7d)) {
        return undefined;
      }
      return value;
    }
    const lead = this.hex4();
    if (lead === undefined) {
      return undefined;
    }
    if (lead >= 0xd800 && lead <= 0xdbff && this.peek() === 0x5c && this.peekAt(1) === 0x75) {
      const save = this.i;
      this.i += 2;
      const trail = this.hex4();
      if (trail !== undefined && trail >= 0xdc00 && trail <= 0xdfff) {
        return 0x10000 + ((lead - 0xd800) << 10) + (trail - 0xdc00);
      }
      this.i = save;
    }
    return lead;
  }

  hex4(): number | undefined {
    let value = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.peek();
      if (!isHex(c)) {
        return undefined;
      }
      value = value * 16 + hexValue(c);
      this.i += 1;
    }
    return value;
  }

  atomEscape(): boolean {
    const c = this.peek();
    if (c >= 0x31 && c <= 0x39) {
      const n = this.decimal();
      if (n === undefined) {
        return false;
      }
      const value = n.length > 9 ? Number.MAX_SAFE_INTEGER : n.reduce((v, d) => v * 10 + (d - 0x30), 0);
      this.maxBackreference = Math.max(this.maxBackreference, value);
      return true;
    }
    if (c === 0x6b) {
      this.i += 1;
      if (!this.eat(0x3c)) {
        return false;
      }
      const name = this.groupName();
      if (name === undefined) {
        return false;
      }
      this.references.push(name);
      return true;
    }
    return this.classEscape(false) !== undefined;
  }

  /** A code point, `null` for a class escape, `undefined` for a syntax error. */
  classEscape(inClass: boolean): number | null | undefined {
    const c = this.peek();
    this.i += 1;
    switch (c) {
      case 0x64:
      case 0x44:
      case 0x73:
      case 0x53:
      case 0x77:
      case 0x57:
        return null;
      case 0x70:
      case 0x50:
        return this.property() ? null : undefined;
      case 0x66:
        return 0x0c;
      case 0x6e:
        return 0x0a;
      case 0x72:
        return 0x0d;
      case 0x74:
        return 0x09;
      case 0x76:
        return 0x0b;
      case 0x63: {
        const letter = this.peek();
        if (!isAlpha(letter)) {
          return undefined;
        }
        this.i += 1;
        return letter % 32;
      }
      case 0x30:
        return isDigit(this.peek()) ? undefined : 0;
      case 0x78: {
        const a = this.peek();
        const b = this.peekAt(1);
        if (!isHex(a) || !isHex(b)) {
          return undefined;
        }
        this.i += 2;
        return hexValue(a) * 16 + hexValue(b);
      }
      case 0x75:
        return this.unicodeEscapeBody();
      case 0x62:
        return inClass ? 0x08 : undefined;
      case 0x2d:
        return inClass ? 0x2d : undefined;
      case 0x5e:
      case 0x24:
      case 0x5c:
      case 0x2e:
      case 0x2a:
      case 0x2b:
      case 0x3f:
      case 0x28:
      case 0x29:
      case 0x5b:
      case 0x5d:
      case 0x7b:
      case 0x7d:
      case 0x7c:
      case 0x2f:
        return c;
      default:
        return undefined;
    }
  }

  property(): boolean {
    if (!this.eat(0x7b)) {
      return false;
    }
    const start = this.i;
    while (isAlpha(this.peek()) || isDigit(this.peek()) || this.peek() === 0x5f || this.peek() === 0x3d) {
      this.i += 1;
    }
    const body = String.fromCharCode(...this.cp.slice(start, Math.min(this.i, start + 64)));
    const long = this.i - start > 64;
    return this.eat(0x7d) && !long && regexPropertyOk(body);
  }

  characterClass(): boolean {
    this.i += 1;
    this.eat(0x5e);
    for (;;) {
      if (this.eat(0x5d)) {
        return true;
      }
      const low = this.classAtom();
      if (low === undefined) {
        return false;
      }
      if (this.peek() === 0x2d && this.peekAt(1) !== 0x5d) {
        this.i += 1;
        const high = this.classAtom();
        if (low === null || high === null || high === undefined || low > high) {
          return false;
        }
      }
    }
  }

  classAtom(): number | null | undefined {
    const c = this.peek();
    if (c === END) {
      return undefined;
    }
    this.i += 1;
    if (c === 0x5c) {
      return this.classEscape(true);
    }
    return c;
  }
}

function compareDecimal(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) {
    return a.length - b.length;
  }
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
}

function isIdStart(c: number): boolean {
  return isAlpha(c) || c === 0x24 || c === 0x5f || (c >= 0x80 && c <= 0x10ffff && !inRanges(c, DISALLOWED) && !inRanges(c, MARKS) && c !== 0x00b7);
}

function isIdContinue(c: number): boolean {
  return isIdStart(c) || isDigit(c) || inRanges(c, MARKS) || c === 0x00b7 || c === 0x200c || c === 0x200d;
}

const REGEX_GENERAL_CATEGORY = " C Other Cc Control cntrl Cf Format Cn Unassigned Co Private_Use Cs Surrogate L Letter LC Cased_Letter Ll Lowercase_Letter Lm Modifier_Letter Lo Other_Letter Lt Titlecase_Letter Lu Uppercase_Letter M Mark Combining_Mark Mc Spacing_Mark Me Enclosing_Mark Mn Nonspacing_Mark N Number Nd Decimal_Number digit Nl Letter_Number No Other_Number P Punctuation punct Pc Connector_Punctuation Pd Dash_Punctuation Pe Close_Punctuation Pf Final_Punctuation Pi Initial_Punctuation Po Other_Punctuation Ps Open_Punctuation S Symbol Sc Currency_Symbol Sk Modifier_Symbol Sm Math_Symbol So Other_Symbol Z Separator Zl Line_Separator Zp Paragraph_Separator Zs Space_Separator ";
const REGEX_BINARY_PROPERTIES = " ASCII ASCII_Hex_Digit AHex Alphabetic Alpha Any Assigned Bidi_Control Bidi_C Bidi_Mirrored Bidi_M Case_Ignorable CI Cased Changes_When_Casefolded CWCF Changes_When_Casemapped CWCM Changes_When_Lowercased CWL Changes_When_NFKC_Casefolded CWKCF Changes_When_Titlecased CWT Changes_When_Uppercased CWU Dash Default_Ignorable_Code_Point DI Deprecated Dep Diacritic Dia Emoji Emoji_Component EComp Emoji_Modifier EMod Emoji_Modifier_Base EBase Emoji_Presentation EPres Extended_Pictographic ExtPict Extender Ext Grapheme_Base Gr_Base Grapheme_Extend Gr_Ext Hex_Digit Hex IDS_Binary_Operator IDSB IDS_Trinary_Operator IDST ID_Continue IDC ID_Start IDS Ideographic Ideo Join_Control Join_C Logical_Order_Exception LOE Lowercase Lower Math Noncharacter_Code_Point NChar Pattern_Syntax Pat_Syn Pattern_White_Space Pat_WS Quotation_Mark QMark Radical Regional_Indicator RI Sentence_Terminal STerm Soft_Dotted SD Terminal_Punctuation Term Unified_Ideograph UIdeo Uppercase Upper Variation_Selector VS White_Space space XID_Continue XIDC XID_Start XIDS ";
const REGEX_SCRIPTS = " Adlam Adlm Ahom Anatolian_Hieroglyphs Hluw Arabic Arab Armenian Armn Avestan Avst Balinese Bali Bamum Bamu Bassa_Vah Bass Batak Batk Bengali Beng Bhaiksuki Bhks Bopomofo Bopo Brahmi Brah Braille Brai Buginese Bugi Buhid Buhd Canadian_Aboriginal Cans Carian Cari Caucasian_Albanian Aghb Chakma Cakm Cham Cherokee Cher Chorasmian Chrs Common Zyyy Coptic Copt Qaac Cuneiform Xsux Cypriot Cprt Cypro_Minoan Cpmn Cyrillic Cyrl Deseret Dsrt Devanagari Deva Dives_Akuru Diak Dogra Dogr Duployan Dupl Egyptian_Hieroglyphs Egyp Elbasan Elba Elymaic Elym Ethiopic Ethi Georgian Geor Glagolitic Glag Gothic Goth Grantha Gran Greek Grek Gujarati Gujr Gunjala_Gondi Gong Gurmukhi Guru Han Hani Hangul Hang Hanifi_Rohingya Rohg Hanunoo Hano Hatran Hatr Hebrew Hebr Hiragana Hira Imperial_Aramaic Armi Inherited Zinh Qaai Inscriptional_Pahlavi Phli Inscriptional_Parthian Prti Javanese Java Kaithi Kthi Kannada Knda Katakana Kana Kawi Kayah_Li Kali Kharoshthi Khar Khitan_Small_Script Kits Khmer Khmr Khojki Khoj Khudawadi Sind Lao Laoo Latin Latn Lepcha Lepc Limbu Limb Linear_A Lina Linear_B Linb Lisu Lycian Lyci Lydian Lydi Mahajani Mahj Makasar Maka Malayalam Mlym Mandaic Mand Manichaean Mani Marchen Marc Masaram_Gondi Gonm Medefaidrin Medf Meetei_Mayek Mtei Mende_Kikakui Mend Meroitic_Cursive Merc Meroitic_Hieroglyphs Mero Miao Plrd Modi Mongolian Mong Mro Mroo Multani Mult Myanmar Mymr Nabataean Nbat Nag_Mundari Nagm Nandinagari Nand New_Tai_Lue Talu Newa Nko Nkoo Nushu Nshu Nyiakeng_Puachue_Hmong Hmnp Ogham Ogam Ol_Chiki Olck Old_Hungarian Hung Old_Italic Ital Old_North_Arabian Narb Old_Permic Perm Old_Persian Xpeo Old_Sogdian Sogo Old_South_Arabian Sarb Old_Turkic Orkh Old_Uyghur Ougr Oriya Orya Osage Osge Osmanya Osma Pahawh_Hmong Hmng Palmyrene Palm Pau_Cin_Hau Pauc Phags_Pa Phag Phoenician Phnx Psalter_Pahlavi Phlp Rejang Rjng Runic Runr Samaritan Samr Saurashtra Saur Sharada Shrd Shavian Shaw Siddham Sidd SignWriting Sgnw Sinhala Sinh Sogdian Sogd Sora_Sompeng Sora Soyombo Soyo Sundanese Sund Syloti_Nagri Sylo Syriac Syrc Tagalog Tglg Tagbanwa Tagb Tai_Le Tale Tai_Tham Lana Tai_Viet Tavt Takri Takr Tamil Taml Tangsa Tnsa Tangut Tang Telugu Telu Thaana Thaa Thai Tibetan Tibt Tifinagh Tfng Tirhuta Tirh Toto Ugaritic Ugar Vai Vaii Vithkuqi Vith Wancho Wcho Warang_Citi Wara Yezidi Yezi Yi Yiii Zanabazar_Square Zanb Unknown Zzzz ";

/** The property names and values ECMA-262 2023 `\p{…}` takes (the Rust runtime's `regex_property_ok`). */
function regexPropertyOk(body: string): boolean {
  const listed = (list: string, word: string): boolean => word.length > 0 && list.includes(` ${word} `);
  const eq = body.indexOf("=");
  if (eq < 0) {
    return listed(REGEX_GENERAL_CATEGORY, body) || listed(REGEX_BINARY_PROPERTIES, body);
  }
  const name = body.slice(0, eq);
  const value = body.slice(eq + 1);
  if (name === "General_Category" || name === "gc") {
    return listed(REGEX_GENERAL_CATEGORY, value);
  }
  if (name === "Script" || name === "sc" || name === "Script_Extensions" || name === "scx") {
    return listed(REGEX_SCRIPTS, value);
  }
  return false;
}

/** Format primitive `regex`: a pattern that ECMA-262 (with the `u` flag) accepts, as the Rust runtime's `is_regex` decides it. */
export function isRegex(s: string): boolean {
  const p = new RegexParser(codePoints(s));
  if (!p.disjunction() || p.i !== p.cp.length) {
    return false;
  }
  return p.maxBackreference <= p.groups && p.references.every((r) => p.names.has(r.join(",")));
}
