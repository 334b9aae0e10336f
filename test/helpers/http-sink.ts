/**
 * A local HTTP server standing in for a third-party API (Slack webhook, New Relic): records every
 * request exactly as it arrived and answers as the test says, including never.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type SinkAnswer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export interface HttpSink {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: SinkRequest[];
  /** How to answer the next requests (default 200 "ok"). */
  answer: (req: SinkRequest) => SinkAnswer;
  close(): Promise<void>;
}

export async function startHttpSink(): Promise<HttpSink> {
  const requests: SinkRequest[] = [];
  const sink: HttpSink = {
    url: '',
    requests,
    answer: () => ({ status: 200, body: 'ok' }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: SinkRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = sink.answer(recorded);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sink;
}
