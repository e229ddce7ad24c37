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
 * `xn--` label must be Punycode of a label that UTS #46 keeps (see `isValidPunycodeLabel`).
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
  return s
    .slice(start, hostEnd)
    .split(".")
    .every((label) => !label.startsWith("xn--") || isValidPunycodeLabel(label.slice(4)));
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
 * Whether `code` (an `xn--` label without its prefix) is Punycode (RFC 3492) as its encoder writes it,
 * decoding to a label with at least one non-ASCII code point, each of which is in
 * `isKnownValidIdnChar`. UTS #46 refuses
 * a label that decodes to ASCII only or to a code point it does not keep as valid.
 */
function isValidPunycodeLabel(code: string): boolean {
  const dash = code.lastIndexOf("-");
  // With no basic code points the encoder writes no delimiter: `xn---…` is not Punycode.
  if (dash === 0) {
    return false;
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
        return false;
      }
      const c = code.charCodeAt(pos++);
      const digit = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : -1;
      if (digit < 0) {
        return false;
      }
      i += digit * w;
      // The Rust check refuses what overflows 32 bits; so does this one.
      if (i > 0xffffffff) {
        return false;
      }
      const t = Math.min(Math.max(k - bias, 1), 26);
      if (digit < t) {
        break;
      }
      w *= 36 - t;
      if (w > 0xffffffff) {
        return false;
      }
    }
    const length = output.length + 1;
    bias = punycodeAdapt(i - oldI, length, oldI === 0);
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
      return false;
    }
    output.splice(i, 0, n);
    i++;
  }
  return output.some((c) => c >= 0x80) && output.every((c) => c < 0x80 || isKnownValidIdnChar(c));
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

/**
 * The non-ASCII code points an `xn--` label may decode to: `ß` and the lower-case Latin-1 letters
 * `à`–`ö`, `ø`–`ÿ`, each valid in UTS #46, left-to-right, precomposed and not a joiner. This is a
 * subset of what UTS #46 keeps: a label of any other code point is refused, never wrongly taken.
 */
function isKnownValidIdnChar(c: number): boolean {
  return (c >= 0xdf && c <= 0xf6) || (c >= 0xf8 && c <= 0xff);
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
