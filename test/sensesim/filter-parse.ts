/**
 * QRS filter syntax (docs/sense-facts.md §9): tokenizer + recursive descent parser.
 * Grammar:  or := and ('or' and)* ;  and := primary ('and' primary)* ;
 *           primary := '(' or ')' | path op literal
 */

export type Operator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sw' | 'ew' | 'so';

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'guid'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  /** A bare name such as `FinishedFail` (enum value). */
  | { kind: 'name'; value: string };

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'condition'; path: string[]; op: Operator; literal: Literal };

export class FilterSyntaxError extends Error {}

type Token =
  | { kind: 'lparen' | 'rparen'; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'guid'; value: string; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: 'word'; value: string; at: number };

const OPERATORS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sw', 'ew', 'so']);
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w.-])/iy;
const NUMBER = /-?\d+(?:\.\d+)?(?![\w.])/y;
const WORD = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/y;

/** Operators and connectives cannot stand where a property name or a value belongs. */
function isReserved(word: string): boolean {
  const lower = word.toLowerCase();
  return lower === 'and' || lower === 'or' || OPERATORS.has(lower);
}

function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** Reads a quoted literal starting at `at` (the opening quote); `''` stands for one quote. */
function readString(text: string, at: number): { value: string; end: number } {
  let value = '';
  let i = at + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += ch;
    i += 1;
  }
  throw new FilterSyntaxError(`unterminated string starting at ${at}`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'lparen' : 'rparen', at: i });
      i += 1;
    } else if (ch === "'") {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, at: i });
      i = end;
    } else {
      const guid = matchAt(GUID, text, i);
      const num = guid ? undefined : matchAt(NUMBER, text, i);
      const word = guid || num ? undefined : matchAt(WORD, text, i);
      if (guid) tokens.push({ kind: 'guid', value: guid.toLowerCase(), at: i });
      else if (num) tokens.push({ kind: 'number', value: Number(num), at: i });
      else if (word) tokens.push({ kind: 'word', value: word, at: i });
      else throw new FilterSyntaxError(`unexpected character ${JSON.stringify(ch)} at ${i}`);
      i += (guid ?? num ?? word ?? '').length;
    }
  }
  return tokens;
}

/** Deeper nesting is refused as a syntax error instead of overflowing the stack. */
const MAX_DEPTH = 64;

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.parseOr();
    const extra = this.tokens[this.pos];
    if (extra) throw new FilterSyntaxError(`unexpected token at ${extra.at}`);
    return node;
  }

  private keyword(word: 'and' | 'or'): boolean {
    const t = this.tokens[this.pos];
    if (t?.kind === 'word' && t.value.toLowerCase() === word) {
      this.pos += 1;
      return true;
    }
    return false;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.keyword('or')) left = { kind: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parsePrimary();
    while (this.keyword('and')) left = { kind: 'and', left, right: this.parsePrimary() };
    return left;
  }

  private next(what: string): Token {
    const t = this.tokens[this.pos];
    if (!t) throw new FilterSyntaxError(`expected ${what} at end of expression`);
    this.pos += 1;
    return t;
  }

  private parsePrimary(): FilterNode {
    const t = this.next('a condition');
    if (t.kind === 'lparen') {
      this.depth += 1;
      if (this.depth > MAX_DEPTH) throw new FilterSyntaxError(`parentheses nested deeper than ${MAX_DEPTH}`);
      const inner = this.parseOr();
      this.depth -= 1;
      if (this.next("')'").kind !== 'rparen') throw new FilterSyntaxError(`expected ')' at ${t.at}`);
      return inner;
    }
    if (t.kind !== 'word' || isReserved(t.value)) {
      throw new FilterSyntaxError(`expected a property name at ${t.at}`);
    }
    const opToken = this.next('an operator');
    const op = opToken.kind === 'word' ? opToken.value.toLowerCase() : '';
    if (!OPERATORS.has(op)) throw new FilterSyntaxError(`expected an operator at ${opToken.at}`);
    return { kind: 'condition', path: t.value.split('.'), op: op as Operator, literal: this.parseLiteral() };
  }

  private parseLiteral(): Literal {
    const t = this.next('a value');
    switch (t.kind) {
      case 'string':
      case 'guid':
      case 'number':
        return { kind: t.kind, value: t.value } as Literal;
      case 'word': {
        const lower = t.value.toLowerCase();
        if (lower === 'true' || lower === 'false') return { kind: 'boolean', value: lower === 'true' };
        if (lower === 'null') return { kind: 'null' };
        if (t.value.includes('.') || isReserved(t.value)) {
          throw new FilterSyntaxError(`expected a value at ${t.at}`);
        }
        return { kind: 'name', value: t.value };
      }
      default:
        throw new FilterSyntaxError(`expected a value at ${t.at}`);
    }
  }
}

export function parseFilter(text: string): FilterNode {
  return new Parser(tokenize(text)).parse();
}
