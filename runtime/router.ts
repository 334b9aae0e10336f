/**
 * HTTP route table with the Functions host's rules: registration-time validation, method as part of the
 * match, and precedence by function name (alphabetical, first match wins) rather than ASP.NET's
 * most-specific-first order.
 */
import {
  matchRouteTemplate,
  parseRouteTemplate,
  splitRequestPath,
  templatesCanOverlap,
  type RouteTemplate,
} from './route-template';

export interface RouteRegistration {
  functionName: string;
  route: string | undefined;
  methods: string[] | undefined;
}

export interface RouteMatch {
  functionName: string;
  params: Record<string, string>;
}

export interface RouteProblem {
  functionName: string;
  message: string;
}

/** a routed function as the table sees it; `methods` undefined = every method */
export interface RouteEntry {
  readonly functionName: string;
  readonly template: string;
  readonly methods: readonly string[] | undefined;
}

interface CompiledRoute extends RouteEntry {
  readonly parsed: RouteTemplate;
  /** route text as registered, lower-cased and without surrounding `/`: the duplicate-route key */
  readonly routeKey: string;
}

const FUNCTION_NAME = /^[a-z][a-z0-9_-]{0,127}$/i;
const RESERVED_ROUTE = /^(admin|runtime)/i;
const HTTP_METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function trimSlashes(text: string): string {
  return text.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** null when the name is acceptable to the host, otherwise the reason */
export function validateFunctionName(name: string): string | null {
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
    return (
      `invalid function name "${String(name)}": it must start with a letter and contain only letters, ` +
      "digits, '_' and '-' (at most 128 characters)"
    );
  }
  if (name.toLowerCase() === 'host') return 'the function name "host" is reserved';
  return null;
}

/** upper-cased method list; undefined (or an empty list) means every method */
function normaliseMethods(methods: string[] | undefined): string[] | undefined {
  if (methods === undefined || methods.length === 0) return undefined;
  const normalised = methods.map((method) => {
    const trimmed = typeof method === 'string' ? method.trim() : '';
    if (!HTTP_METHOD.test(trimmed)) throw new Error(`invalid HTTP method "${String(method)}"`);
    return trimmed.toUpperCase();
  });
  return [...new Set(normalised)];
}

function methodsOverlap(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a.some((method) => b.includes(method));
}

function describeMethods(methods: readonly string[] | undefined): string {
  return methods === undefined ? 'any method' : methods.join(',');
}

function compile(reg: RouteRegistration, prefix: string, accepted: readonly CompiledRoute[]): CompiledRoute {
  const routeText = reg.route === undefined || reg.route === '' ? reg.functionName : reg.route;
  if (typeof routeText !== 'string') throw new Error('route must be a string');
  const routeKey = trimSlashes(routeText.trim()).toLowerCase();
  if (routeKey === '') throw new Error(`route "${routeText}" is empty`);
  if (RESERVED_ROUTE.test(routeKey)) {
    throw new Error(
      `route "${routeText}" conflicts with the host's built-in routes (starts with admin or runtime)`,
    );
  }
  const methods = normaliseMethods(reg.methods);
  const trimmedRoute = trimSlashes(routeText.trim());
  const parsed = parseRouteTemplate(prefix === '' ? trimmedRoute : `${prefix}/${trimmedRoute}`);
  const clash = accepted.find(
    (other) => other.routeKey === routeKey && methodsOverlap(other.methods, methods),
  );
  if (clash) {
    throw new Error(
      `route "${routeText}" (${describeMethods(methods)}) is already used by function "${clash.functionName}" ` +
        `(${describeMethods(clash.methods)})`,
    );
  }
  return { functionName: reg.functionName, template: parsed.text, methods, parsed, routeKey };
}

function byFunctionName(a: CompiledRoute, b: CompiledRoute): number {
  const left = a.functionName.toLowerCase();
  const right = b.functionName.toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}

function overlapWarnings(routes: readonly CompiledRoute[]): string[] {
  const warnings: string[] = [];
  routes.forEach((first, index) => {
    for (const second of routes.slice(index + 1)) {
      if (!methodsOverlap(first.methods, second.methods)) continue;
      if (!templatesCanOverlap(first.parsed, second.parsed)) continue;
      warnings.push(
        `routes "${first.template}" (function "${first.functionName}") and "${second.template}" ` +
          `(function "${second.functionName}") can match the same request; "${first.functionName}" wins ` +
          'because the host tries functions in alphabetical order',
      );
    }
  });
  return warnings;
}

/**
 * The table's index key: a route whose first two segments are literals can only match paths that start
 * with exactly those (lower-cased), so a request is tried only against the routes filed under its own
 * first two segments and those that are not filed (a parameter there, or a shorter template). With
 * every route under `v4/...` that skips most of the table. A literal holds no `/`, so a key holds one.
 */
const prefixKey = (first: string, second: string): string => `${first}/${second}`;

function indexKey(route: CompiledRoute): string | undefined {
  const [first, second] = route.parsed.segments;
  return first?.kind === 'literal' && second?.kind === 'literal'
    ? prefixKey(first.lower, second.lower)
    : undefined;
}

export class RouteTable {
  /** Per index key: the routes filed under it and every unfiled route, in precedence order. */
  private readonly indexed = new Map<string, readonly CompiledRoute[]>();
  /** Routes not filed under a key: the only ones a path matching no key (or a short path) can match. */
  private readonly unfiled: readonly CompiledRoute[];

  private constructor(private readonly routes: readonly CompiledRoute[]) {
    const keys = routes.map(indexKey);
    this.unfiled = routes.filter((_, i) => keys[i] === undefined);
    for (const key of new Set(keys)) {
      if (key !== undefined)
        this.indexed.set(
          key,
          routes.filter((_, i) => keys[i] === key || keys[i] === undefined),
        );
    }
  }

  /** routePrefix from host.json (this project uses ""). Registrations with bad names or routes become `errors`
   *  (that function is not routed); overlapping templates produce `warnings` (text naming both functions). */
  static build(
    regs: RouteRegistration[],
    routePrefix: string,
  ): { table: RouteTable; errors: RouteProblem[]; warnings: string[] } {
    const prefix = trimSlashes(routePrefix.trim());
    const errors: RouteProblem[] = [];
    const accepted: CompiledRoute[] = [];
    const seenNames = new Set<string>();
    for (const reg of regs) {
      const functionName = reg.functionName;
      const nameProblem = validateFunctionName(functionName);
      if (nameProblem !== null) {
        errors.push({ functionName, message: nameProblem });
        continue;
      }
      const key = functionName.toLowerCase();
      if (seenNames.has(key)) {
        errors.push({ functionName, message: `a function named "${functionName}" is already registered` });
        continue;
      }
      seenNames.add(key);
      try {
        accepted.push(compile(reg, prefix, accepted));
      } catch (error) {
        errors.push({ functionName, message: (error as Error).message });
      }
    }
    const routes = [...accepted].sort(byFunctionName);
    return { table: new RouteTable(routes), errors, warnings: overlapWarnings(routes) };
  }

  /** pathname = raw URL path (still percent-encoded, no query). Returns null when nothing matches. */
  match(method: string, pathname: string): RouteMatch | null {
    const path = splitRequestPath(pathname);
    if (path === null) return null;
    const upperMethod = method.toUpperCase();
    const lowerPath = path.map((value) => value.toLowerCase());
    const [first, second] = lowerPath;
    // A route key has exactly one `/`; a request key equal to it therefore means equal first two segments.
    const candidates =
      first !== undefined && second !== undefined
        ? (this.indexed.get(prefixKey(first, second)) ?? this.unfiled)
        : this.unfiled;
    for (const route of candidates) {
      if (route.methods !== undefined && !route.methods.includes(upperMethod)) continue;
      const params = matchRouteTemplate(route.parsed, path, lowerPath);
      if (params) return { functionName: route.functionName, params };
    }
    return null;
  }

  /** true when some route matches the path with any method (used only for diagnostics/logging). */
  matchesAnyMethod(pathname: string): boolean {
    const path = splitRequestPath(pathname);
    return path !== null && this.routes.some((route) => matchRouteTemplate(route.parsed, path) !== null);
  }

  /** routed functions in precedence order (for start-up listings) */
  entries(): RouteEntry[] {
    return this.routes.map(({ functionName, template, methods }) => ({ functionName, template, methods }));
  }
}
