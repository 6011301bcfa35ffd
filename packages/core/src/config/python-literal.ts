import { ConfigError } from '../errors/config-error.js';
import { SecretRef } from '../secrets/secret.js';
import type { ConfigPath, SourcePosition } from './issues.js';

/**
 * Reads the config dict of a dlt Python script (`rest_api_source({...})`) without running Python.
 * Hand-written because no maintained JS library parses Python literals; it accepts only literals
 * (dict, list, tuple, str, int, float, True/False/None) and `dlt.secrets["key"]`, which becomes a
 * `SecretRef`. Anything else (a call, a lambda, a variable) is an error naming its line.
 */
export interface ParsedPython {
  value: unknown;
  lineOf(path: ConfigPath): number | undefined;
  /** Line and column (1-based) where the value at `path` (a dict entry: its key) is written. */
  positionOf(path: ConfigPath): SourcePosition | undefined;
}

const pathKey = (path: ConfigPath) =>
  JSON.stringify(path.map((k) => (typeof k === 'number' ? k : String(k))));

class PythonLiteralParser {
  readonly #text: string;
  readonly #lineStarts: number[] = [0];
  readonly positions = new Map<string, SourcePosition>();
  #pos: number;

  readonly #source: string;

  constructor(text: string, start: number, source: string) {
    this.#text = text;
    this.#source = source;
    this.#pos = start;
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.#lineStarts.push(i + 1);
  }

  positionAt(pos: number): SourcePosition {
    let low = 0;
    let high = this.#lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#lineStarts[mid] as number) <= pos) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: pos - (this.#lineStarts[low] as number) + 1 };
  }

  fail(message: string, pos = this.#pos): never {
    throw new ConfigError([{ path: '', message, ...this.positionAt(pos) }], { source: this.#source });
  }

  #skip(): void {
    const text = this.#text;
    while (this.#pos < text.length) {
      const c = text[this.#pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.#pos++;
      else if (c === '\\' && (text[this.#pos + 1] === '\n' || text[this.#pos + 1] === '\r')) this.#pos += 2;
      else if (c === '#') while (this.#pos < text.length && text[this.#pos] !== '\n') this.#pos++;
      else break;
    }
  }

  #peek(): string | undefined {
    this.#skip();
    return this.#text[this.#pos];
  }

  #expect(char: string, what: string): void {
    if (this.#peek() !== char) this.fail(`expected "${char}" ${what}, found ${this.#found()}`);
    this.#pos++;
  }

  #found(): string {
    const rest = this.#text.slice(this.#pos, this.#pos + 20).split('\n')[0];
    return rest ? `"${rest}"` : 'the end of the text';
  }

  value(path: ConfigPath): unknown {
    const c = this.#peek();
    this.positions.set(pathKey(path), this.positionAt(this.#pos));
    if (c === '{') return this.#dict(path);
    if (c === '[') return this.#sequence(path, ']');
    if (c === '(') return this.#paren(path);
    if (c === '"' || c === "'" || (c !== undefined && /[rRuUbBfF]/.test(c) && this.#isStringPrefix())) {
      return this.#strings();
    }
    if (c !== undefined && /[-+.0-9]/.test(c)) return this.#number();
    if (c !== undefined && /[A-Za-z_]/.test(c)) return this.#name();
    return this.fail(`expected a value, found ${this.#found()}`);
  }

  #dict(path: ConfigPath): Record<string, unknown> {
    this.#pos++;
    const out: Record<string, unknown> = {};
    while (this.#peek() !== '}') {
      const keyPos = this.#pos;
      const key = this.value([...path, '\0key']);
      if (typeof key !== 'string') this.fail('dict keys must be strings', keyPos);
      if (Object.hasOwn(out, key)) this.fail(`duplicate key "${key}"`, keyPos);
      this.positions.set(pathKey([...path, key]), this.positionAt(keyPos));
      this.#expect(':', `after the key "${key}"`);
      out[key] = this.value([...path, key]);
      this.positions.set(pathKey([...path, key]), this.positionAt(keyPos));
      if (this.#peek() === ',') this.#pos++;
      else if (this.#peek() !== '}') this.fail(`expected "," or "}" in a dict, found ${this.#found()}`);
    }
    this.#pos++;
    return out;
  }

  #sequence(path: ConfigPath, close: string): unknown[] {
    this.#pos++;
    const out: unknown[] = [];
    while (this.#peek() !== close) {
      out.push(this.value([...path, out.length]));
      if (this.#peek() === ',') this.#pos++;
      else if (this.#peek() !== close) this.fail(`expected "," or "${close}", found ${this.#found()}`);
    }
    this.#pos++;
    return out;
  }

  /** `(x)` is x; `(x,)` and `(x, y)` are tuples, read as lists. */
  #paren(path: ConfigPath): unknown {
    const start = this.#pos;
    this.#pos++;
    if (this.#peek() === ')') {
      this.#pos++;
      return [];
    }
    const first = this.value(path);
    if (this.#peek() === ')') {
      this.#pos++;
      return first;
    }
    this.#pos = start;
    return this.#sequence(path, ')');
  }

  #isStringPrefix(): boolean {
    return /^[rRuUbBfF]{1,2}["']/.test(this.#text.slice(this.#pos, this.#pos + 3));
  }

  /** Adjacent literals concatenate, as in Python: `"a" "b"` is `"ab"`. */
  #strings(): string {
    let out = this.#string();
    for (;;) {
      const c = this.#peek();
      if (c === '"' || c === "'" || (c !== undefined && /[rRuU]/.test(c) && this.#isStringPrefix())) {
        out += this.#string();
      } else return out;
    }
  }

  #string(): string {
    const start = this.#pos;
    const prefix = /^[rRuUbBfF]*/.exec(this.#text.slice(this.#pos, this.#pos + 2))?.[0] ?? '';
    if (/[fF]/.test(prefix))
      this.fail('f-strings cannot be converted without running Python; write the value');
    if (/[bB]/.test(prefix)) this.fail('bytes literals are not valid config values');
    const raw = /[rR]/.test(prefix);
    this.#pos += prefix.length;
    const quote = this.#text[this.#pos] as string;
    const triple = this.#text.startsWith(quote.repeat(3), this.#pos);
    const delimiter = triple ? quote.repeat(3) : quote;
    this.#pos += delimiter.length;
    let out = '';
    for (;;) {
      if (this.#pos >= this.#text.length) this.fail('unterminated string', start);
      if (this.#text.startsWith(delimiter, this.#pos)) {
        this.#pos += delimiter.length;
        return out;
      }
      const c = this.#text[this.#pos] as string;
      if (c === '\n' && !triple) this.fail('unterminated string (end of line)', start);
      if (c === '\\') {
        out += raw ? this.#rawEscape() : this.#escape();
        continue;
      }
      out += c;
      this.#pos++;
    }
  }

  #rawEscape(): string {
    const pair = this.#text.slice(this.#pos, this.#pos + 2);
    this.#pos += 2;
    return pair;
  }

  #escape(): string {
    const next = this.#text[this.#pos + 1];
    this.#pos += 2;
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\n': '',
    };
    if (next !== undefined && next in simple) return simple[next] as string;
    const hex = (length: number) => {
      const digits = this.#text.slice(this.#pos, this.#pos + length);
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits)) this.fail('bad escape sequence in a string');
      this.#pos += length;
      return String.fromCodePoint(Number.parseInt(digits, 16));
    };
    if (next === 'x') return hex(2);
    if (next === 'u') return hex(4);
    if (next === 'U') return hex(8);
    if (next !== undefined && /[0-7]/.test(next)) {
      const octal = /^[0-7]{0,2}/.exec(this.#text.slice(this.#pos))?.[0] ?? '';
      this.#pos += octal.length;
      return String.fromCodePoint(Number.parseInt(next + octal, 8));
    }
    if (next === 'N') this.fail('\\N{...} escapes are not supported; write the character');
    // Python keeps unknown escapes as written.
    return `\\${next ?? ''}`;
  }

  #number(): number {
    const start = this.#pos;
    const match =
      /^[-+]?\s*(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?\.?)/.exec(
        this.#text.slice(this.#pos),
      );
    if (!match) return this.fail(`expected a number, found ${this.#found()}`);
    this.#pos += match[0].length;
    if (/[jJ]/.test(this.#text[this.#pos] ?? ''))
      this.fail('complex numbers are not valid config values', start);
    const text = match[0].replace(/[\s_]/g, '');
    const sign = text.startsWith('-') ? -1 : 1;
    const body = text.replace(/^[-+]/, '');
    const value = /^0[xXoObB]/.test(body)
      ? Number.parseInt(body.slice(2), { x: 16, o: 8, b: 2 }[body[1]?.toLowerCase() as 'x' | 'o' | 'b'])
      : Number(body);
    if (!Number.isFinite(value)) this.fail(`not a number: ${match[0]}`, start);
    return sign * value;
  }

  #name(): unknown {
    const start = this.#pos;
    const name = /^[A-Za-z_][\w]*(\s*\.\s*[A-Za-z_]\w*)*/.exec(this.#text.slice(this.#pos))?.[0] ?? '';
    this.#pos += name.length;
    const dotted = name.replace(/\s+/g, '');
    if (dotted === 'True') return true;
    if (dotted === 'False') return false;
    if (dotted === 'None') return null;
    if (dotted === 'dlt.secrets' || dotted === 'dlt.config') {
      this.#expect('[', `after ${dotted}`);
      const key = this.value([]);
      if (typeof key !== 'string') this.fail(`${dotted}[...] needs a string key`, start);
      this.#expect(']', `after ${dotted}["${key}"`);
      if (dotted === 'dlt.config') {
        this.fail(
          `dlt.config["${key}"] cannot be resolved here; write the value, or use dlt.secrets for secrets`,
          start,
        );
      }
      return new SecretRef(key);
    }
    if (dotted === 'lambda') {
      this.fail(
        'a lambda cannot be converted without running Python; use a declarative processing step',
        start,
      );
    }
    return this.fail(
      `"${dotted}" is not a literal: only dicts, lists, strings, numbers, True/False/None and dlt.secrets[...] can be read without running Python`,
      start,
    );
  }
}

/** Finds the dict passed to `rest_api_source(...)` (directly or through a variable) or a bare dict. */
function locateConfig(text: string, source: string): number {
  const call = /^[^#\n]*?\brest_api_source\s*\(\s*/m.exec(text);
  if (call) {
    const at = call.index + call[0].length;
    if (text[at] === '{') return at;
    const variable = /^[A-Za-z_]\w*/.exec(text.slice(at))?.[0];
    if (variable) {
      const assignment = new RegExp(`^[ \\t]*${variable}\\s*(:[^=\\n]+)?=\\s*(?=\\{)`, 'm').exec(text);
      if (assignment) return assignment.index + assignment[0].length;
    }
    const line = text.slice(0, at).split('\n').length;
    throw new ConfigError(
      [
        {
          path: '',
          message: 'rest_api_source(...) must be given a dict literal or a variable assigned one',
          line,
        },
      ],
      { source },
    );
  }
  const first = /^\s*\{/.exec(text);
  if (first) return first[0].length - 1;
  throw new ConfigError([{ path: '', message: 'no rest_api_source({...}) call or dict literal found' }], {
    source,
  });
}

export function parsePythonConfig(text: string, source = 'Python config'): ParsedPython {
  const parser = new PythonLiteralParser(text, locateConfig(text, source), source);
  const value = parser.value([]);
  const positionOf = (path: ConfigPath) => parser.positions.get(pathKey(path));
  return { value, lineOf: (path) => positionOf(path)?.line, positionOf };
}
