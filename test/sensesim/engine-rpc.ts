/** JSON-RPC building blocks of the Engine (docs/sense-facts.md §10.1): errors and positional/named parameters. */

const MESSAGES: Record<number, string> = {
  [-32700]: 'Parse error',
  [-32600]: 'Invalid Request',
  [-32601]: 'JSON-RPC method not found',
  [-32602]: 'Invalid Params',
  [-1]: 'Internal error',
  2: 'Object not found',
  5: 'Access denied',
  15: 'Request aborted',
  1002: 'App already open',
  1003: 'App not found',
  1009: 'App already open in different mode',
  11000: 'Reload in progress',
};

export class EngineError extends Error {
  constructor(
    readonly code: number,
    readonly parameter: string,
    message?: string,
  ) {
    super(message ?? MESSAGES[code] ?? 'Engine error');
  }

  toJSON(): { code: number; parameter: string; message: string } {
    return { code: this.code, parameter: this.parameter, message: this.message };
  }
}

/** Reads parameter `index` (positional call) or `name` (named call). */
export function arg(params: unknown, index: number, name: string): unknown {
  if (Array.isArray(params)) return params[index];
  if (params !== null && typeof params === 'object') return (params as Record<string, unknown>)[name];
  return undefined;
}

export function stringArg(params: unknown, index: number, name: string): string {
  const value = arg(params, index, name);
  if (typeof value !== 'string') throw new EngineError(-32602, name, 'Invalid Params');
  return value;
}

export function objectArg(params: unknown, index: number, name: string): Record<string, unknown> {
  const value = arg(params, index, name);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EngineError(-32602, name, 'Invalid Params');
  }
  return value as Record<string, unknown>;
}

export interface ObjectReturn {
  qType: string;
  qHandle: number;
  qGenericType?: string;
  qGenericId: string;
}
