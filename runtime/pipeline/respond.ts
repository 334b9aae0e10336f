import type { ServerResponse } from 'node:http';

/** Status with an empty body, the real host's answer for 401/404/413/429/500. */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.statusCode = status;
  res.setHeader('Content-Length', '0');
  res.end();
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = Buffer.from(JSON.stringify(body));
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(text.length));
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string, headOnly: boolean): void {
  const body = Buffer.from(html);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', String(body.length));
  res.end(headOnly ? undefined : body);
}

/** The answer when a body could not be read: 413 (too large) or 408 (client went quiet), connection closed. */
export function answerUnreadBody(res: ServerResponse, reason: 'too-large' | 'aborted' | 'idle'): void {
  // Do not drain a body nobody will read: answer and drop the connection.
  if (reason === 'too-large') sendEmpty(res, 413, { Connection: 'close' });
  else if (reason === 'idle') sendEmpty(res, 408, { Connection: 'close' });
  else res.destroy();
}
