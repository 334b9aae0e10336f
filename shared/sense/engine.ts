/**
 * One Engine (QIX) JSON-RPC 2.0 session over undici's WebSocket (docs/sense-facts.md §10.1): numbered requests,
 * a pending map, a per-call timeout, handle tracking, and an idle close. Notifications such as
 * `OnConnected` carry no id and are ignored.
 */
import { WebSocket, type Dispatcher } from 'undici';
import type { ApiError } from '../http/errors';
import type { DependencyCall } from '../telemetry/index';
import type { Logger } from '../log';
import { EngineError, SenseError } from './errors';

export { EngineError } from './errors';

export interface EngineSessionInit {
  url: string;
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  /** Default per-call timeout and the limit for opening the socket. */
  timeoutMs: number;
  /** Close the session after this long without a pending call. */
  idleMs: number;
  /** E.g. "Qlik Sense Engine at host:4747/app/<id>", used in messages. */
  label: string;
  /** Explains why the upgrade failed (TLS, refused, HTTP status); called once when opening fails. */
  /** Why the upgrade failed; may probe the network (only runs on the failure path). */
  explainOpenFailure: () => ApiError | Promise<ApiError>;
  log?: Logger;
  onClosed?: (session: EngineSession) => void;
  /** Reports the upgrade and each JSON-RPC call (telemetry). */
  track?: (call: DependencyCall) => void;
}

export interface EngineCallOptions {
  /** Overrides the session's timeout for a call that legitimately runs long (DoReload). */
  timeoutMs?: number;
}

interface PendingCall {
  method: string;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface RpcResponse {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; parameter?: unknown; message?: unknown };
  close?: unknown;
}

const CLOSE_NORMAL = 1000;
/** How long close() waits for the server's close frame before giving up on a clean close. */
const CLOSE_WAIT_MS = 2000;

export class EngineSession {
  private readonly ws: WebSocket;
  private readonly init: EngineSessionInit;
  private readonly pending = new Map<number, PendingCall>();
  /** Open handles returned by the Engine (`qReturn.qHandle`) and their qType; -1 is the Global object. */
  private readonly handles = new Map<number, string>([[-1, 'Global']]);
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(ws: WebSocket, init: EngineSessionInit) {
    this.ws = ws;
    this.init = init;
    this.closedPromise = new Promise((resolve) => {
      ws.addEventListener('close', (event) => {
        this.onSocketClosed(event.code);
        resolve();
      });
    });
    ws.addEventListener('message', (event) => this.onMessage(event.data));
    this.armIdleTimer();
  }

  /** Opens the WebSocket; resolves once the upgrade succeeded. */
  static open(init: EngineSessionInit): Promise<EngineSession> {
    const opening = EngineSession.connect(init);
    if (init.track) observe(opening, init, 'GET', performance.now(), '101');
    return opening;
  }

  private static connect(init: EngineSessionInit): Promise<EngineSession> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(init.url, { dispatcher: init.dispatcher, headers: init.headers });
      } catch (err) {
        reject(
          new SenseError('SENSE_ERROR', `Cannot open ${init.label}: ${(err as Error).message}`, {
            cause: err,
          }),
        );
        return;
      }
      ws.binaryType = 'arraybuffer';
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        ws.close();
        reject(
          new SenseError(
            'UPSTREAM_TIMEOUT',
            `${init.label} did not accept the connection within ${init.timeoutMs} ms (sense.timeoutMs)`,
          ),
        );
      }, init.timeoutMs);
      ws.addEventListener(
        'open',
        () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(new EngineSession(ws, init));
        },
        { once: true },
      );
      ws.addEventListener(
        'close',
        () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          void Promise.resolve(init.explainOpenFailure()).then(reject, reject);
        },
        { once: true },
      );
    });
  }

  /** Resolves once the socket is closed, whoever closed it. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Handles currently open on this session (including -1, Global) with their qType. */
  get openHandles(): ReadonlyMap<number, string> {
    return this.handles;
  }

  /** Sends one request; resolves its `result`, rejects with EngineError (Engine error) or ApiError. */
  call<T = unknown>(
    handle: number,
    method: string,
    params: unknown[] | Record<string, unknown> = [],
    options: EngineCallOptions = {},
  ): Promise<T> {
    if (this.closed) {
      return Promise.reject(
        new SenseError('SENSE_ERROR', `${this.init.label} is closed; cannot call ${method}`),
      );
    }
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.init.timeoutMs;
    const started = performance.now();
    const answered = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id);
        reject(
          new SenseError(
            'UPSTREAM_TIMEOUT',
            `${this.init.label} did not answer ${method} within ${timeoutMs} ms (sense.timeoutMs)`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject, timer });
      this.disarmIdleTimer();
      try {
        this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, handle, method, params }));
      } catch (err) {
        this.settle(id);
        reject(new SenseError('SENSE_ERROR', `${this.init.label}: sending ${method} failed`, { cause: err }));
      }
    });
    if (this.init.track) observe(answered, this.init, method, started, 'OK');
    return answered;
  }

  /** Rejects whatever is still pending and closes the socket with 1000; waits briefly for the close. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.rejectAll(`${this.init.label} session was closed by Butler`);
      this.disarmIdleTimer();
      try {
        this.ws.close(CLOSE_NORMAL);
      } catch {
        // Already closing: the close event still arrives.
      }
    }
    let waitTimer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => {
      waitTimer = setTimeout(resolve, CLOSE_WAIT_MS);
    });
    await Promise.race([this.closedPromise, giveUp]);
    clearTimeout(waitTimer);
  }

  private onMessage(data: unknown): void {
    const text = typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8');
    let message: RpcResponse;
    try {
      message = JSON.parse(text) as RpcResponse;
    } catch {
      this.init.log?.warn(`${this.init.label} sent a frame that is not JSON; ignored`);
      return;
    }
    if (typeof message !== 'object' || message === null || typeof message.id !== 'number') return;
    const call = this.settle(message.id);
    if (call === undefined) return; // late answer to a call that already timed out
    this.trackClosedHandles(message.close);
    if (message.error !== undefined) {
      const { code, parameter, message: text } = message.error;
      call.reject(
        new EngineError(
          typeof code === 'number' ? code : -1,
          typeof parameter === 'string' ? parameter : '',
          typeof text === 'string' ? text : 'Engine error',
          call.method,
        ),
      );
      return;
    }
    this.trackReturnedHandle(message.result);
    call.resolve(message.result);
  }

  private trackReturnedHandle(result: unknown): void {
    const qReturn = (result as { qReturn?: { qHandle?: unknown; qType?: unknown } } | null)?.qReturn;
    if (typeof qReturn?.qHandle === 'number') {
      this.handles.set(qReturn.qHandle, typeof qReturn.qType === 'string' ? qReturn.qType : 'unknown');
    }
  }

  private trackClosedHandles(closed: unknown): void {
    if (!Array.isArray(closed)) return;
    for (const handle of closed) if (typeof handle === 'number') this.handles.delete(handle);
  }

  /** Removes a pending call and, when nothing is left in flight, starts the idle countdown. */
  private settle(id: number): PendingCall | undefined {
    const call = this.pending.get(id);
    if (call === undefined) return undefined;
    clearTimeout(call.timer);
    this.pending.delete(id);
    this.armIdleTimer();
    return call;
  }

  private onSocketClosed(code: number): void {
    const wasOpen = !this.closed;
    this.closed = true;
    this.disarmIdleTimer();
    if (wasOpen && this.pending.size > 0) {
      this.rejectAll(`${this.init.label} closed the connection (code ${code})`);
    }
    this.init.onClosed?.(this);
  }

  private rejectAll(reason: string): void {
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      this.pending.delete(id);
      call.reject(new SenseError('SENSE_ERROR', `${reason} during ${call.method}`));
    }
  }

  private armIdleTimer(): void {
    if (this.closed || this.pending.size > 0) return;
    this.disarmIdleTimer();
    this.idleTimer = setTimeout(() => {
      this.init.log?.info(`${this.init.label} idle for ${this.init.idleMs} ms; closing`);
      void this.close();
    }, this.init.idleMs);
    this.idleTimer.unref();
  }

  private disarmIdleTimer(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** The handle of an object an Engine method returned (`result.qReturn.qHandle`). */
export function returnedHandle(result: unknown, method: string): number {
  const handle = (result as { qReturn?: { qHandle?: unknown } } | null)?.qReturn?.qHandle;
  if (typeof handle !== 'number') {
    throw new SenseError('SENSE_ERROR', `Qlik Sense Engine answered ${method} without an object handle`);
  }
  return handle;
}

/**
 * Reports one Engine exchange once it settles, without touching the caller's promise: the Engine error
 * code, or the failure's code (`UPSTREAM_TIMEOUT`, `SENSE_ERROR`, an HTTP status of a refused upgrade).
 */
function observe(
  work: Promise<unknown>,
  init: EngineSessionInit,
  method: string,
  started: number,
  okCode: string,
): void {
  const report = (success: boolean, resultCode: string): void => {
    const url = new URL(init.url);
    init.track?.({
      service: 'Engine',
      method,
      url: `${url.protocol}//${url.host}${url.pathname}`,
      durationMs: performance.now() - started,
      success,
      resultCode,
    });
  };
  void work.then(
    () => report(true, okCode),
    (err: unknown) => {
      const e = err as { code?: unknown; upstreamStatus?: unknown } | null;
      const code = e?.upstreamStatus ?? e?.code;
      report(false, typeof code === 'string' || typeof code === 'number' ? String(code) : 'error');
    },
  );
}
