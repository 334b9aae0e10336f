/**
 * Just enough of the Qlik load-script language to run the subroutines of scripts/butler-functions.qvs
 * and capture the HTTP request each one makes through the REST connector: `$(…)` expansion (with
 * parameters), LET/SET, IF/ELSE, FOR EACH … IN FieldValueList, FOR … TO, the string functions the
 * file uses, Peek/NoOfRows over tables given by the test, and `WITH CONNECTION (Url, BODY, HTTPHEADER)`.
 * Anything else in a statement position is an error, so the file cannot drift outside what is tested.
 */

export interface ConnectorRequest {
  connection: string;
  url: string;
  headers: [string, string][];
  body: string | undefined;
}

/** Tables by name; rows use qualified field names (`<table>.<field>`), as Butler's tables do. */
export type Tables = Record<string, Record<string, string>[]>;

interface Sub {
  params: string[];
  lines: string[];
}

export class QlikScript {
  readonly subs = new Map<string, Sub>();
  private readonly globals = new Map<string, string>();

  constructor(source: string) {
    const lines = source.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = stripComment(lines[i]!).trim();
      if (!line) continue;
      const sub = /^sub\s+(\w+)(?:\((.*)\))?$/i.exec(line);
      if (sub) {
        const body: string[] = [];
        for (i++; i < lines.length && !/^\s*end\s+sub\s*$/i.test(lines[i]!); i++) body.push(lines[i]!);
        const params = sub[2] ? sub[2].split(',').map((p) => p.trim()) : [];
        this.subs.set(sub[1]!, { params, lines: body });
        continue;
      }
      const set = /^SET\s+(\w+)\s*=\s*(.*);$/i.exec(line);
      if (set) this.globals.set(set[1]!, set[2]!);
      else throw new Error(`unexpected top-level statement: ${line}`);
    }
  }

  /** Runs CALL name(args) and returns the requests it made. */
  call(name: string, args: string[], vars: Record<string, string>, tables: Tables = {}): ConnectorRequest[] {
    const sub = this.subs.get(name);
    if (!sub) throw new Error(`no sub ${name}`);
    if (sub.params.length !== args.length) throw new Error(`${name} takes ${sub.params.length} arguments`);
    const scope = new Map<string, string>([...this.globals, ...Object.entries(vars)]);
    sub.params.forEach((p, i) => scope.set(p, args[i]!));
    const run = new Run(scope, tables);
    run.block(statements(sub.lines), 0);
    return run.requests;
  }
}

function stripComment(line: string): string {
  // `//` starts a comment unless inside a quoted string (URLs contain //).
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** Joins lines into statements: a statement ends with `;` or is a control keyword line. */
function statements(lines: string[]): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of lines) {
    const line = stripComment(raw).trim();
    if (!line) continue;
    if (!pending && (/^(IF|ELSE|END IF|FOR|NEXT)\b/i.test(line) || /^[\w$()[\]]+:$/.test(line))) {
      out.push(line);
      continue;
    }
    pending = pending ? `${pending}\n${line}` : line;
    if (line.endsWith(';')) {
      out.push(pending);
      pending = '';
    }
  }
  if (pending) throw new Error(`unterminated statement: ${pending}`);
  return out;
}

class Run {
  readonly requests: ConnectorRequest[] = [];
  private connection = '';

  constructor(
    private readonly vars: Map<string, string>,
    private readonly tables: Tables,
  ) {}

  /** Executes statements from `start` until the end or an unmatched ELSE/END IF/NEXT; returns that index. */
  block(stmts: string[], start: number): number {
    let i = start;
    while (i < stmts.length) {
      const s = stmts[i]!;
      if (/^(ELSE|END IF|NEXT)\b/i.test(s)) return i;
      i = this.statement(stmts, i);
    }
    return i;
  }

  private skip(stmts: string[], start: number): number {
    let depth = 0;
    for (let i = start; i < stmts.length; i++) {
      const s = stmts[i]!;
      if (/^(IF|FOR)\b/i.test(s)) depth++;
      else if (/^(END IF|NEXT)\b/i.test(s)) {
        if (depth === 0) return i;
        depth--;
      } else if (/^ELSE\b/i.test(s) && depth === 0) return i;
    }
    throw new Error('unterminated block');
  }

  private statement(stmts: string[], i: number): number {
    const s = stmts[i]!;
    let m: RegExpExecArray | null;
    if ((m = /^IF\s+(.*)\s+THEN$/i.exec(s))) {
      const yes = truthy(this.evaluate(this.expand(m[1]!)));
      let j = yes ? this.block(stmts, i + 1) : this.skip(stmts, i + 1);
      if (/^ELSE$/i.test(stmts[j]!)) j = yes ? this.skip(stmts, j + 1) : this.block(stmts, j + 1);
      if (!/^END IF$/i.test(stmts[j]!)) throw new Error(`IF without END IF: ${s}`);
      return j + 1;
    }
    if ((m = /^FOR\s+Each\s+(\w+)\s+in\s+FieldValueList\((.*)\)$/i.exec(s))) {
      const field = String(this.evaluate(this.expand(m[2]!)));
      const table = field.split('.')[0]!;
      const values = [
        ...new Set((this.tables[table] ?? []).map((row) => row[field]).filter((v) => v !== undefined)),
      ];
      return this.loop(stmts, i, m[1]!, values);
    }
    if ((m = /^FOR\s+(\w+)\s*=\s*(.+)\s+to\s+(.+)$/i.exec(s))) {
      const from = Number(this.evaluate(this.expand(m[2]!)));
      const to = Number(this.evaluate(this.expand(m[3]!)));
      const values: string[] = [];
      for (let n = from; n <= to; n++) values.push(String(n));
      return this.loop(stmts, i, m[1]!, values);
    }
    if (/^[\w$()[\]]+:$/.test(s)) return i + 1; // table label
    const expanded = this.expand(s);
    if ((m = /^LET\s+(\w+)\s*=\s*([\s\S]*);$/i.exec(expanded))) {
      this.vars.set(m[1]!, String(this.evaluate(m[2]!)));
    } else if ((m = /^SET\s+(\w+)\s*=\s*([\s\S]*);$/i.exec(expanded))) {
      if (m[2] === '') this.vars.delete(m[1]!);
      else this.vars.set(m[1]!, m[2]!);
    } else if ((m = /^LIB CONNECT TO '([^']+)';$/i.exec(expanded))) {
      this.connection = m[1]!;
    } else if (/^SQL\s/i.test(expanded)) {
      this.requests.push(this.request(expanded));
    } else if (!/^(TRACE|DROP TABLES?|NoConcatenate LOAD|LOAD)\b/i.test(expanded)) {
      throw new Error(`unsupported statement: ${s}`);
    }
    return i + 1;
  }

  private loop(stmts: string[], i: number, name: string, values: string[]): number {
    const end = this.skip(stmts, i + 1);
    for (const value of values) {
      this.vars.set(name, value);
      this.block(stmts, i + 1);
    }
    return end + 1;
  }

  private request(sql: string): ConnectorRequest {
    const withConnection = /WITH CONNECTION\s*\(([\s\S]*)\)\s*;$/i.exec(sql);
    if (!withConnection) throw new Error(`SQL without WITH CONNECTION: ${sql}`);
    const params = withConnection[1]!;
    const quoted = (text: string) => text.replace(/""/g, '"');
    const url = /\bUrl\s+"((?:[^"]|"")*)"/i.exec(params);
    const body = /\bBODY\s+"((?:[^"]|"")*)"/i.exec(params);
    const headers = [...params.matchAll(/\bHTTPHEADER\s+"((?:[^"]|"")*)"\s+"((?:[^"]|"")*)"/gi)].map(
      (h) => [quoted(h[1]!), quoted(h[2]!)] as [string, string],
    );
    if (!url) throw new Error('WITH CONNECTION without Url');
    return {
      connection: this.connection,
      url: quoted(url[1]!),
      headers,
      body: body ? quoted(body[1]!) : undefined,
    };
  }

  /** `$(name)` and `$(name(arg, …))`, innermost first, as the script engine does before parsing. */
  private expand(text: string): string {
    let out = text;
    for (let guard = 0; guard < 100; guard++) {
      const m = /\$\((\w+)(?:\(([^()]*)\))?\)/.exec(out);
      if (!m) return out;
      let value = this.vars.get(m[1]!) ?? '';
      if (m[2] !== undefined) {
        const args = m[2].split(',').map((a) => a.trim());
        value = value.replace(/\$(\d)/g, (_, n: string) => args[Number(n) - 1] ?? '');
      }
      out = out.slice(0, m.index) + value + out.slice(m.index + m[0].length);
    }
    throw new Error('dollar expansion does not end');
  }

  evaluate(expression: string): string | number | boolean {
    return new Expression(expression, this.vars, this.tables).parse();
  }
}

function truthy(value: string | number | boolean): boolean {
  return value === true || (typeof value === 'number' && value !== 0);
}

/** Recursive descent over: or/and, comparisons, &, + and -, calls, literals and variables. */
class Expression {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly vars: Map<string, string>,
    private readonly tables: Tables,
  ) {}

  parse(): string | number | boolean {
    const value = this.and();
    this.space();
    if (this.pos !== this.text.length) throw new Error(`cannot parse '${this.text}' at ${this.pos}`);
    return value;
  }

  private space(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }
  private take(token: RegExp): string | null {
    this.space();
    const m = token.exec(this.text.slice(this.pos));
    if (!m || m.index !== 0) return null;
    this.pos += m[0].length;
    return m[0];
  }

  private and(): string | number | boolean {
    let left = this.comparison();
    while (this.take(/^and\b/i)) {
      const right = this.comparison();
      left = truthy(left) && truthy(right);
    }
    return left;
  }

  private comparison(): string | number | boolean {
    const left = this.concat();
    const op = this.take(/^(<>|>=|<=|=|>|<)/);
    if (!op) return left;
    const right = this.concat();
    const numeric =
      !Number.isNaN(Number(left)) && !Number.isNaN(Number(right)) && left !== '' && right !== '';
    const [a, b] = numeric ? [Number(left), Number(right)] : [String(left), String(right)];
    switch (op) {
      case '=':
        return a === b;
      case '<>':
        return a !== b;
      case '>':
        return a > b;
      case '<':
        return a < b;
      case '>=':
        return a >= b;
      default:
        return a <= b;
    }
  }

  private concat(): string | number | boolean {
    let left = this.sum();
    while (this.take(/^&/)) left = String(left) + String(this.sum());
    return left;
  }

  private sum(): string | number | boolean {
    let left = this.atom();
    for (;;) {
      const op = this.take(/^[+-]/);
      if (!op) return left;
      const right = Number(this.atom());
      left = op === '+' ? Number(left) + right : Number(left) - right;
    }
  }

  private atom(): string | number | boolean {
    if (this.take(/^\(/)) {
      const value = this.and();
      if (!this.take(/^\)/)) throw new Error(`missing ) in '${this.text}'`);
      return value;
    }
    const literal = this.take(/^'(?:[^']|'')*'/);
    if (literal !== null) return literal.slice(1, -1).replace(/''/g, "'");
    const number = this.take(/^\d+(\.\d+)?/);
    if (number !== null) return Number(number);
    const name = this.take(/^\w+/);
    if (name === null) throw new Error(`cannot parse '${this.text}' at ${this.pos}`);
    if (!this.take(/^\(/)) {
      const value = this.vars.get(name);
      if (value === undefined) throw new Error(`variable ${name} is not set`);
      return value;
    }
    const args: (string | number | boolean)[] = [];
    if (!this.take(/^\)/)) {
      do args.push(this.and());
      while (this.take(/^,/));
      if (!this.take(/^\)/)) throw new Error(`missing ) after ${name}(`);
    }
    return this.call(name, args);
  }

  private call(name: string, args: (string | number | boolean)[]): string | number {
    const s = (i: number) => String(args[i] ?? '');
    switch (name.toLowerCase()) {
      case 'replace':
        return s(0).split(s(1)).join(s(2));
      case 'len':
        return s(0).length;
      case 'left':
        return s(0).slice(0, Number(args[1]));
      case 'mid':
        return args.length > 2
          ? s(0).substr(Number(args[1]) - 1, Number(args[2]))
          : s(0).slice(Number(args[1]) - 1);
      case 'now':
        return new Date().toISOString();
      case 'noofrows':
        return this.tables[s(0)]?.length ?? 0;
      case 'peek': {
        const row = this.tables[s(2)]?.[Number(args[1])];
        return row?.[s(0)] ?? '';
      }
      default:
        throw new Error(`function ${name} is not supported here`);
    }
  }
}
