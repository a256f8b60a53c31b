import { compileUserPattern, type UserPattern } from '@herald/store';

/** Longest string a sample may build, from a pattern or a `minLength`. */
export const MAX_STRING = 10_000;

/** Characters tried, in order, for a character class or escape of a pattern. */
const CANDIDATES = [...'aA1bcdefghijklmnopqrstuvwxyzBCDEFGHIJKLMNOPQRSTUVWXYZ0234567 89-_.@+:/'];

/**
 * A string matching a simple pattern: literals, escapes, character classes, groups with
 * alternatives (first one taken) and quantifiers (their minimum, at least one for `+`).
 * Undefined for anything else (look-arounds, back-references) or when the result does not match.
 */
export function patternSample(pattern: string): string | undefined {
  // Matched on RE2, as every user pattern is: never run on the backtracking RegExp, which only
  // checks (compiles, never runs) that it is a valid JavaScript pattern too.
  let regex: UserPattern;
  try {
    new RegExp(pattern, 'u');
    regex = compileUserPattern(pattern, 'u');
  } catch {
    return undefined;
  }
  const parser = new PatternParser(pattern);
  const generated = parser.sequence();
  if (generated === undefined || !parser.done()) return undefined;
  return regex.test(generated) ? generated : undefined;
}

class PatternParser {
  private at = 0;

  constructor(private readonly source: string) {}

  done(): boolean {
    return this.at >= this.source.length;
  }

  /** A sequence up to `)` or the end; alternatives after `|` are skipped. */
  sequence(): string | undefined {
    let out = '';
    while (!this.done() && this.peek() !== ')') {
      if (this.peek() === '|') {
        this.skipAlternatives();
        break;
      }
      const atom = this.atom();
      if (atom === undefined) return undefined;
      const count = this.quantifier();
      if (count === undefined) return undefined;
      // Nested counted repeats (`((a{1e4}){1e4}){1e4}`) would otherwise build gigabytes.
      if (out.length + atom.length * count > MAX_STRING) return undefined;
      out += atom.repeat(count);
    }
    return out;
  }

  private atom(): string | undefined {
    const c = this.next();
    switch (c) {
      case '^':
      case '$':
        return '';
      case '.':
        return 'a';
      case '(': {
        if (this.peek() === '?') {
          if (this.source.slice(this.at, this.at + 2) !== '?:') return undefined;
          this.at += 2;
        }
        const inner = this.sequence();
        if (inner === undefined || this.next() !== ')') return undefined;
        return inner;
      }
      case '[': {
        const end = this.classEnd();
        if (end === undefined) return undefined;
        const text = this.source.slice(this.at - 1, end + 1);
        this.at = end + 1;
        return firstMatching(text);
      }
      case '\\': {
        const escaped = this.next();
        if (escaped === undefined || /[1-9bBkpPuxc0]/.test(escaped)) return undefined;
        if (/[dDwWsS]/.test(escaped)) return firstMatching(`\\${escaped}`);
        if (escaped === 'n') return '\n';
        if (escaped === 'r') return '\r';
        if (escaped === 't') return '\t';
        return escaped;
      }
      case undefined:
      case '*':
      case '+':
      case '?':
      case '{':
        return undefined;
      default:
        return c;
    }
  }

  /** How many times the atom repeats: the least the quantifier allows (one for `+`). */
  private quantifier(): number | undefined {
    const c = this.peek();
    let count = 1;
    if (c === '*' || c === '?') {
      this.at += 1;
      count = 0;
    } else if (c === '+') {
      this.at += 1;
    } else if (c === '{') {
      const match = /^\{(\d+)(,\d*)?\}/.exec(this.source.slice(this.at));
      if (!match) return undefined;
      this.at += match[0].length;
      count = Number(match[1]);
      if (count > MAX_STRING) return undefined;
    }
    if (this.peek() === '?') this.at += 1;
    return count;
  }

  private classEnd(): number | undefined {
    let index = this.at;
    if (this.source[index] === '^') index += 1;
    if (this.source[index] === ']') index += 1;
    while (index < this.source.length) {
      if (this.source[index] === '\\') index += 2;
      else if (this.source[index] === ']') return index;
      else index += 1;
    }
    return undefined;
  }

  private skipAlternatives(): void {
    let depth = 0;
    while (!this.done()) {
      const c = this.peek();
      if (c === '\\') {
        this.at += 2;
        continue;
      }
      if (c === '(') depth += 1;
      if (c === ')') {
        if (depth === 0) return;
        depth -= 1;
      }
      this.at += 1;
    }
  }

  private peek(): string | undefined {
    return this.source[this.at];
  }

  private next(): string | undefined {
    const c = this.source[this.at];
    this.at += 1;
    return c;
  }
}

/** The first candidate character a class or escape (`[a-z]`, `[^\r\n]`, `\d`) accepts. */
function firstMatching(classText: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(`^${classText}$`, 'u');
  } catch {
    return undefined;
  }
  return CANDIDATES.find((candidate) => regex.test(candidate));
}
