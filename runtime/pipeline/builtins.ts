import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestKey } from './auth';
import type { PipelineContext } from './context';
import { triggerBinding } from '../invoke';
import { answerUnreadBody, sendEmpty, sendHtml, sendJson } from './respond';
import { bodyPending, readBodyWithLimit } from './body';
import { clientAddress } from './function-request';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The "host is up" page; the product's name and sentence come from the host options. */
export function homepageHtml(name = 'Functions', note?: string): string {
  const title = escapeHtml(name);
  const extra = note ? ` ${escapeHtml(note)}` : '';
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>Your Functions host is up and running</h1>
<p>This is the ${title} embedded host.${extra}</p></body></html>
`;
}

const ADMIN_FUNCTION = /^\/admin\/functions\/([^/]+)\/?$/i;

const ADMIN_PATH = /^\/(admin|runtime)(\/|$)/i;

/** Paths the host itself serves; they are never routed to functions (`admin`/`runtime` are reserved). */
export function isAdminPath(pathname: string): boolean {
  return ADMIN_PATH.test(pathname);
}

/** The built-in paths: the homepage and everything under admin/runtime. */
export function isBuiltInPath(pathname: string): boolean {
  return /^\/+$/.test(pathname) || ADMIN_PATH.test(pathname);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseAdminInput(body: Buffer): string | undefined {
  if (body.length === 0) return '';
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const input = (parsed as { input?: unknown }).input;
    if (input === undefined || input === null) return '';
    return typeof input === 'string' ? input : JSON.stringify(input);
  } catch {
    return undefined;
  }
}

/**
 * Serves `/`, `/admin/host/ping`, `/admin/host/status` and `POST /admin/functions/{name}`; keys are
 * checked before any body is read. Returns false when the request is not a built-in (the caller
 * routes it to a function).
 */
export async function serveBuiltIn(
  ctx: PipelineContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  method: string,
): Promise<boolean> {
  const pathname = url.pathname.replace(/\/+$/, '') || '/';

  if (pathname === '/') {
    if (method !== 'GET' && method !== 'HEAD') return false;
    if (ctx.settings.disableHomepage) sendEmpty(res, 204);
    else sendHtml(res, 200, ctx.homepage, method === 'HEAD');
    return true;
  }
  if (!isAdminPath(pathname)) return false;

  if (/^\/admin\/host\/ping$/i.test(pathname) && (method === 'GET' || method === 'POST')) {
    // Liveness: a host whose every slot is stuck is not alive (see docs/host-limits.md).
    sendEmpty(res, ctx.stalled() ? 503 : 200, bodyPending(req) ? { Connection: 'close' } : {});
    return true;
  }
  if (/^\/admin\/host\/status$/i.test(pathname) && method === 'GET') {
    if (!ctx.keys.isMaster(requestKey(req, url))) {
      ctx.audit.keys.line(`Refused GET ${pathname} from ${clientAddress(req)}: not the master key`);
      sendEmpty(res, 401, bodyPending(req) ? { Connection: 'close' } : {});
    } else sendJson(res, 200, ctx.status());
    return true;
  }
  const adminInvoke = ADMIN_FUNCTION.exec(pathname);
  if (adminInvoke && method === 'POST') {
    if (!ctx.keys.isMaster(requestKey(req, url))) {
      ctx.audit.keys.line(`Refused POST ${pathname} from ${clientAddress(req)}: not the master key`);
      sendEmpty(res, 401, bodyPending(req) ? { Connection: 'close' } : {});
      return true;
    }
    const fn = ctx.functions.get(safeDecode(adminInvoke[1] ?? '').toLowerCase());
    if (!fn) {
      sendEmpty(res, 404);
      return true;
    }
    if (/^httptrigger$/i.test(triggerBinding(fn).binding.type ?? '')) {
      sendJson(res, 400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'HTTP functions are called through their route, not the admin endpoint',
        code: 'ADMIN_INVOKE_HTTP_FUNCTION',
      });
      return true;
    }
    const read = await readBodyWithLimit(
      req,
      ctx.settings.bodyLimitBytes,
      ctx.settings.limits.bodyIdleTimeoutMs,
    );
    if (!read.ok) {
      answerUnreadBody(res, read.reason);
      return true;
    }
    const input = parseAdminInput(read.body);
    if (input === undefined) {
      sendJson(res, 400, {
        statusCode: 400,
        error: 'Bad Request',
        message: 'Body must be a JSON object like {"input":""}',
        code: 'ADMIN_INVOKE_BAD_BODY',
      });
      return true;
    }
    ctx.startNonHttp(fn, input);
    sendEmpty(res, 202);
    return true;
  }
  // Every other admin/runtime path: not found, exactly like an unmatched route.
  sendEmpty(res, 404, bodyPending(req) ? { Connection: 'close' } : {});
  return true;
}
