/**
 * E-mail through SMTP (nodemailer) with Handlebars subject and HTML body. Recipients: the configured
 * list, the values of the task's recipients custom property and, if enabled, the app owner. A template
 * that fails to render falls back to a plain-text message, so the alert still goes out.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import nodemailer from 'nodemailer';
import type { AlertsConfig } from '../../config/types';
import type { Logger } from '../../log';
import { errorMessage } from '../../log';
import type { AlertEvent } from '../event';
import { headline, plainText, templateContext } from '../render';
import { DeliveryError, NothingToSend, type AlertChannel } from './channel';

const DEFAULT_SUBJECT = '{{headline}}';
const DEFAULT_BODY = `<h2>{{headline}}</h2>
<table>
<tr><td><b>Task</b></td><td>{{taskName}} ({{taskId}})</td></tr>
<tr><td><b>App</b></td><td>{{appName}} ({{appId}})</td></tr>
<tr><td><b>Status</b></td><td>{{executionStatusText}} ({{executionStatusNum}})</td></tr>
<tr><td><b>Node</b></td><td>{{executingNodeName}}</td></tr>
<tr><td><b>Started</b></td><td>{{startTime}}</td></tr>
<tr><td><b>Stopped</b></td><td>{{stopTime}}</td></tr>
<tr><td><b>Duration</b></td><td>{{executionDuration.hours}}h {{executionDuration.minutes}}m {{executionDuration.seconds}}s</td></tr>
<tr><td><b>Execution result</b></td><td>{{executionResultId}}</td></tr>
{{#if appOwnerName}}<tr><td><b>App owner</b></td><td>{{appOwnerName}} {{appOwnerEmail}}</td></tr>{{/if}}
</table>
<h3>Execution details</h3>
<pre>{{executionDetailsConcatenated}}</pre>
<h3>Script log, first {{scriptLogHeadCount}} lines</h3>
<pre>{{scriptLogHead}}</pre>
<h3>Script log, last {{scriptLogTailCount}} lines</h3>
<pre>{{scriptLogTail}}</pre>
{{#if scriptLogError}}<p>Script log unavailable: {{scriptLogError}}</p>{{/if}}`;

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

function templates() {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return hbs;
}

export function recipientsOf(cfg: AlertsConfig, event: AlertEvent): string[] {
  const email = cfg.channels.email;
  const candidates = [...email.to];
  const property = email.recipientsCustomProperty?.toLowerCase();
  if (property) {
    for (const cp of event.task.customProperties) {
      if (cp.name.toLowerCase() === property) candidates.push(...cp.value.split(/[,;\s]+/));
    }
  }
  if (email.includeAppOwner && event.app?.owner?.email) candidates.push(event.app.owner.email);
  const seen = new Map<string, string>();
  for (const raw of candidates) {
    const address = raw.trim();
    if (ADDRESS.test(address) && !seen.has(address.toLowerCase())) seen.set(address.toLowerCase(), address);
  }
  return [...seen.values()];
}

export function emailChannel(cfg: AlertsConfig, log: Logger): AlertChannel {
  const email = cfg.channels.email;
  const smtp = email.smtp;
  const transport = nodemailer.createTransport({
    host: smtp.host ?? undefined,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.requireTls,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    tls: { rejectUnauthorized: smtp.rejectUnauthorized, ...(smtp.ca ? { ca: readFileSync(smtp.ca) } : {}) },
    connectionTimeout: cfg.retry.timeoutMs,
    greetingTimeout: cfg.retry.timeoutMs,
    socketTimeout: cfg.retry.timeoutMs,
  });
  const hbs = templates();
  const subject = hbs.compile(email.subjectTemplate ?? DEFAULT_SUBJECT, { noEscape: true });
  const body = hbs.compile(email.bodyTemplate ?? DEFAULT_BODY);

  return {
    id: 'email',
    outcomes: email.outcomes ?? cfg.outcomes,
    tasks: email.tasks ?? cfg.tasks,
    async send(event) {
      const to = recipientsOf(cfg, event);
      if (to.length === 0) throw new NothingToSend('no e-mail recipient for this task');
      const text = plainText(event);
      let rendered: { subject: string; html: string } | undefined;
      try {
        const context = templateContext(event);
        rendered = {
          subject: subject(context)
            .replace(/[\r\n]+/g, ' ')
            .slice(0, 250),
          html: body(context),
        };
      } catch (err) {
        log.warn(`alerts: e-mail template failed (${errorMessage(err)}); sending plain text`);
      }
      try {
        await transport.sendMail({
          from: email.from ?? undefined,
          to,
          subject: rendered?.subject ?? headline(event),
          text,
          ...(rendered ? { html: rendered.html } : {}),
        });
      } catch (err) {
        const code = (err as { responseCode?: unknown }).responseCode;
        // 5xx SMTP answers are permanent (bad recipient, refused auth); the rest may pass later.
        const permanent = typeof code === 'number' && code >= 500;
        throw new DeliveryError(`SMTP: ${errorMessage(err)}`, !permanent);
      }
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
