/**
 * JSON POSTs to a third-party service (Slack, New Relic) through one long-lived undici Agent per
 * service, each call bounded by one deadline. Failures become ApiErrors: no answer in time → 504
 * UPSTREAM_TIMEOUT naming the setting; network and TLS errors → 502 with the service's code. The
 * caller decides what a non-2xx answer means. URLs never appear in messages (a webhook URL is a secret).
 */
import { Agent, request, type Dispatcher } from 'undici';
import { STATUS_CODES } from 'node:http';
import { ApiError } from '../http/errors';
import { errorCode } from '../sense/transport-errors';

/** Enough of an error answer to show what went wrong, never an unbounded read. */
const MAX_ANSWER_BYTES = 4096;

export interface UpstreamCall {
  /** Who we called, for messages: "Slack", "New Relic account 'main'". */
  service: string;
  /** The code for refusals and transport failures. */
  errorCode: 'SLACK_ERROR' | 'NEW_RELIC_ERROR';
  /** The setting that holds the timeout, for the 504 message. */
  timeoutSetting: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface UpstreamAnswer {
  status: number;
  /** The standard reason phrase of `status` (HTTP/2 and many servers send none). */
  statusText: string;
  /** The start of the answer body, at most 4 KiB. */
  text: string;
}

async function readBounded(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_ANSWER_BYTES) break; // leaving the loop destroys the rest of the stream
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

export class UpstreamClient {
  private readonly agent: Agent;
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
    this.agent = new Agent({
      connect: { timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 10_000,
      connections: 16,
    });
  }

  async post(call: UpstreamCall): Promise<UpstreamAnswer> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await request(call.url, {
        method: 'POST',
        headers: call.headers,
        body: call.body,
        dispatcher: this.agent,
        signal: deadline,
      });
      const text = await readBounded(res.body);
      return { status: res.statusCode, statusText: STATUS_CODES[res.statusCode] ?? '', text };
    } catch (err) {
      const code = errorCode(err);
      if (deadline.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
        throw new ApiError(
          'UPSTREAM_TIMEOUT',
          `${call.service} did not answer within ${this.timeoutMs} ms (${call.timeoutSetting})`,
          { cause: err },
        );
      }
      // The code only: undici's messages can carry the request URL.
      throw new ApiError(call.errorCode, `${call.service} could not be reached: ${code ?? 'network error'}`, {
        cause: err,
      });
    }
  }

  /** At shutdown: the host has drained requests by then, so anything still open is abandoned. */
  close(): Promise<void> {
    return this.agent.destroy();
  }
}

/** Removes every occurrence of the given secrets from a text shown to callers or written to logs. */
export function withoutSecrets(text: string, secrets: (string | null | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

/** One line of an upstream's answer for a message: control characters out, length capped. */
export function answerExcerpt(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
