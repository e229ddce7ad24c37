/**
 * Canonical JSON: the strict parser that reads signed bytes, and the serializer whose output is
 * the signed form (compact, keys sorted by UTF-16 code units, RFC 8785 string escapes, integers
 * as plain digits). A verifier parses the bytes, serializes the value again and requires the
 * same bytes.
 */

/** Why {@link parseStrictJson} refused its input. */
export class StrictJsonError extends Error {
  /** Whether the input repeated an object key (otherwise it was not JSON). */
  readonly duplicateKey: boolean;

  constructor(message: string, duplicateKey = false) {
    super(message);
    this.name = "StrictJsonError";
    this.duplicateKey = duplicateKey;
  }
}

/** How deep arrays and objects may nest, as in the Rust verifier. */
const MAX_DEPTH = 127;

/**
 * Parses one JSON text (surrounding whitespace allowed) like `JSON.parse`, but refuses objects
 * with a repeated key (compared after unescaping, so `"a"` and `"\u0061"` are the same key),
 * escapes that leave a lone surrogate, and numbers beyond the double range. White space is only
 * what JSON says it is: space, tab, line feed and carriage return (no byte order mark, form feed
 * or no-break space).
 */
export function parseStrictJson(text: string): unknown {
  return parseStrictJsonReadingNumbers(text).value;
}

/** What {@link parseStrictJsonReadingNumbers} read. */
export interface StrictParse {
  readonly value: unknown;
  /**
   * The JSON pointer of the first number that is not an integer written in plain digits
   * (`-?(0|[1-9][0-9]*)`, not `-0`) within ±(2^53 − 1), `undefined` when every number is. First
   * as the Rust verifier walks the value: object members by key (in code point order), array
   * items by index.
   */
  readonly firstUnsafeNumber: string | undefined;
}

/** The largest magnitude of an integer in a proof, 2^53 − 1, in digits. */
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);

/**
 * Whether a JSON number token is an integer in plain digits within ±(2^53 − 1). Compared as
 * digits: `Number()` would round 2^53 + 1 to 2^53.
 */
export function isSafeIntegerToken(token: string): boolean {
  if (!/^-?(?:0|[1-9][0-9]*)$/.test(token) || token === "-0") {
    return false;
  }
  const digits = token.startsWith("-") ? token.slice(1) : token;
  return digits.length < MAX_SAFE_DIGITS.length || (digits.length === MAX_SAFE_DIGITS.length && digits <= MAX_SAFE_DIGITS);
}

/** {@link parseStrictJson}, also reporting the first number that is not a safe plain integer. */
export function parseStrictJsonReadingNumbers(text: string): StrictParse {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.offset !== text.length) {
    throw parser.error("trailing characters");
  }
  const first = parser.unsafeNumbers.reduce<Path | undefined>((best, path) => (best === undefined || comparePaths(path, best) < 0 ? path : best), undefined);
  return { value, firstUnsafeNumber: first === undefined ? undefined : pointer(first) };
}

/** Where a value is: object keys and array indexes. */
type Path = readonly (string | number)[];

/** The JSON pointer (RFC 6901) of a path. */
function pointer(path: Path): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/** Which of two paths a walk over sorted keys (code point order) and array indexes reaches first. */
function comparePaths(a: Path, b: Path): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const [x, y] = [a[index], b[index]];
    if (x !== y) {
      return typeof x === "number" && typeof y === "number" ? x - y : compareCodePoints(String(x), String(y));
    }
  }
  return a.length - b.length;
}

function compareCodePoints(a: string, b: string): number {
  const [x, y] = [[...a], [...b]];
  for (let index = 0; index < Math.min(x.length, y.length); index++) {
    const difference = (x[index]?.codePointAt(0) ?? 0) - (y[index]?.codePointAt(0) ?? 0);
    if (difference !== 0) {
      return difference;
    }
  }
  return x.length - y.length;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  offset = 0;
  /** The paths of the numbers that are not safe integers in plain digits. */
  readonly unsafeNumbers: Path[] = [];
  /** The path of the value being read. */
  private readonly path: (string | number)[] = [];

  constructor(private readonly text: string) {}

  error(what: string): StrictJsonError {
    return new StrictJsonError(`${what} at offset ${this.offset}`);
  }

  skipWhitespace(): void {
    while (this.offset < this.text.length) {
      const char = this.text[this.offset];
      if (char !== " " && char !== "\t" && char !== "\n" && char !== "\r") {
        return;
      }
      this.offset++;
    }
  }

  private expect(literal: string): void {
    if (!this.text.startsWith(literal, this.offset)) {
      throw this.error(`expected ${JSON.stringify(literal)}`);
    }
    this.offset += literal.length;
  }

  value(depth: number): unknown {
    switch (this.text[this.offset]) {
      case "{":
        return this.object(depth + 1);
      case "[":
        return this.array(depth + 1);
      case '"':
        return this.string();
      case "t":
        this.expect("true");
        return true;
      case "f":
        this.expect("false");
        return false;
      case "n":
        this.expect("null");
        return null;
      default:
        return this.number();
    }
  }

  private object(depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) {
      throw this.error("nesting too deep");
    }
    this.offset++;
    const object: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.text[this.offset] === "}") {
      this.offset++;
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.offset] !== '"') {
        throw this.error("expected an object key");
      }
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(object, key)) {
        throw new StrictJsonError(`duplicate object key ${JSON.stringify(key)}`, true);
      }
      this.skipWhitespace();
      this.expect(":");
      this.skipWhitespace();
      this.path.push(key);
      // defineProperty, not assignment: a key such as "__proto__" stays an ordinary property.
      Object.defineProperty(object, key, { value: this.value(depth), enumerable: true, writable: true, configurable: true });
      this.path.pop();
      this.skipWhitespace();
      const next = this.text[this.offset++];
      if (next === "}") {
        return object;
      }
      if (next !== ",") {
        throw this.error("expected , or }");
      }
    }
  }

  private array(depth: number): unknown[] {
    if (depth > MAX_DEPTH) {
      throw this.error("nesting too deep");
    }
    this.offset++;
    const items: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.offset] === "]") {
      this.offset++;
      return items;
    }
    for (;;) {
      this.skipWhitespace();
      this.path.push(items.length);
      items.push(this.value(depth));
      this.path.pop();
      this.skipWhitespace();
      const next = this.text[this.offset++];
      if (next === "]") {
        return items;
      }
      if (next !== ",") {
        throw this.error("expected , or ]");
      }
    }
  }

  private string(): string {
    this.offset++;
    let out = "";
    for (;;) {
      const code = this.text.charCodeAt(this.offset);
      if (Number.isNaN(code)) {
        throw this.error("unterminated string");
      }
      if (code < 0x20) {
        throw this.error("control character in string");
      }
      this.offset++;
      if (code === 0x22) {
        return out;
      }
      if (code !== 0x5c) {
        out += String.fromCharCode(code);
        continue;
      }
      const escape = this.text[this.offset++];
      switch (escape) {
        case '"':
        case "\\":
        case "/":
          out += escape;
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const unit = this.hex4();
          if (unit >= 0xdc00 && unit <= 0xdfff) {
            throw this.error("lone low surrogate");
          }
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (!this.text.startsWith("\\u", this.offset)) {
              throw this.error("lone high surrogate");
            }
            this.offset += 2;
            const low = this.hex4();
            if (low < 0xdc00 || low > 0xdfff) {
              throw this.error("lone high surrogate");
            }
            out += String.fromCharCode(unit, low);
          } else {
            out += String.fromCharCode(unit);
          }
          break;
        }
        default:
          throw this.error("invalid escape");
      }
    }
  }

  private hex4(): number {
    const digits = this.text.slice(this.offset, this.offset + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
      throw this.error("invalid \\u escape");
    }
    this.offset += 4;
    return Number.parseInt(digits, 16);
  }

  private number(): number {
    NUMBER.lastIndex = this.offset;
    const match = NUMBER.exec(this.text);
    if (match === null) {
      throw this.error("expected a value");
    }
    const token = match[0];
    const value = Number(token);
    if (!Number.isFinite(value)) {
      throw this.error("number out of range");
    }
    if (!isSafeIntegerToken(token)) {
      this.unsafeNumbers.push([...this.path]);
    }
    this.offset += token.length;
    return value;
  }
}

/**
 * The canonical serialization of a JSON value, or `undefined` when it has none here (a number
 * that is not a safe integer, or something that is not JSON at all).
 */
export function canonicalJson(value: unknown): string | undefined {
  if (value === null) {
    return "null";
  }
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return Number.isSafeInteger(value) ? String(value) : undefined;
    case "string":
      return canonicalString(value);
    case "object": {
      const parts: string[] = [];
      if (Array.isArray(value)) {
        for (const item of value) {
          const part = canonicalJson(item);
          if (part === undefined) {
            return undefined;
          }
          parts.push(part);
        }
        return `[${parts.join(",")}]`;
      }
      // The default sort compares UTF-16 code units, which is the JCS key order.
      for (const key of Object.keys(value).sort()) {
        const part = canonicalJson((value as Record<string, unknown>)[key]);
        if (part === undefined) {
          return undefined;
        }
        parts.push(`${canonicalString(key)}:${part}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      return undefined;
  }
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: "\\b",
  0x09: "\\t",
  0x0a: "\\n",
  0x0c: "\\f",
  0x0d: "\\r",
  0x22: '\\"',
  0x5c: "\\\\",
};

function canonicalString(text: string): string {
  let out = '"';
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const short = SHORT_ESCAPES[code];
    if (short !== undefined) {
      out += short;
    } else if (code < 0x20) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else {
      out += text[index];
    }
  }
  return `${out}"`;
}
