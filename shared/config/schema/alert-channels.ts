/** `alerts.channels`: where reload-task alerts go; every channel is optional. */
import { Type } from '@sinclair/typebox';
import { NameValue, SecretNameValue } from './common';
import { listSetting, nullable, optionalString, section, strictObject, stringEnum } from './kit';

export const AlertOutcomeSchema = stringEnum(['failed', 'aborted', 'success']);

/** Tag and custom-property criteria of `alerts.tasks` and of a channel's own `tasks`. */
export const taskSelectionProperties = {
  tag: Type.Array(Type.String({ minLength: 1 }), {
    default: [],
    description: 'Tasks carrying any of these tags.',
  }),
  customProperty: listSetting(NameValue, 'Tasks with any of these custom property values ({ name, value }).'),
};

/** Settings every channel has; null means "as the alerts section says". */
const channelFilters = {
  outcomes: nullable(Type.Array(AlertOutcomeSchema, { uniqueItems: true }), {
    default: null,
    description: 'Outcomes this channel sends (failed | aborted | success); null: alerts.outcomes.',
  }),
  tasks: nullable(strictObject(taskSelectionProperties), {
    default: null,
    description: 'Overrides alerts.tasks for this channel; null: use alerts.tasks.',
  }),
};

const maxScriptLogChars = (description: string) =>
  Type.Integer({ minimum: 200, maximum: 2900, default: 2900, description });

export const AlertWebhook = strictObject({
  name: Type.String({
    minLength: 1,
    pattern: '^[A-Za-z0-9_.-]{1,64}$',
    description: 'Unique name (letters, digits, _ . -), used in logs and delivery records.',
  }),
  url: Type.String({
    minLength: 1,
    pattern: '^https?://',
    writeOnly: true,
    description: 'Target URL (secret: may carry a token). Its host must be in alerts.allowedHosts.',
  }),
  method: stringEnum(['POST', 'PUT', 'GET'], {
    default: 'POST',
    description: 'POST/PUT send JSON; GET sends the fields as query parameters.',
  }),
  headers: listSetting(SecretNameValue, 'Extra request headers [{ name, value }].'),
  ...channelFilters,
});

const Smtp = section({
  host: optionalString('SMTP server. null: channel off.'),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 587, description: 'SMTP port.' }),
  secure: Type.Boolean({
    default: false,
    description: 'TLS from the first byte (port 465); false uses STARTTLS when the server offers it.',
  }),
  requireTls: Type.Boolean({
    default: true,
    description: 'With secure false: refuse to send unless STARTTLS succeeds.',
  }),
  rejectUnauthorized: Type.Boolean({ default: true, description: "Verify the server's certificate." }),
  ca: optionalString('CA certificate of the SMTP server (PEM path).'),
  user: optionalString('Login user; null: no authentication.'),
  password: optionalString('Login password (secret: use ${env:SMTP_PASSWORD}).', { writeOnly: true }),
});

const Email = section({
  smtp: Smtp,
  from: optionalString('Sender address. Required when smtp.host is set.'),
  to: Type.Array(Type.String({ minLength: 3 }), { default: [], description: 'Recipients of every alert.' }),
  recipientsCustomProperty: optionalString(
    'Task custom property whose values are added as recipients; null: none.',
    { default: 'emailRecipients' },
  ),
  includeAppOwner: Type.Boolean({
    default: false,
    description: "Add the app owner's e-mail address (from the owner's Email attribute).",
  }),
  subjectTemplate: optionalString('Handlebars subject template; null: built-in.'),
  bodyTemplate: optionalString(
    'Handlebars HTML body template; null: built-in. A template that fails to render falls back to plain text.',
  ),
  ...channelFilters,
});

export const AlertChannels = section(
  {
    slack: section({
      webhookUrl: optionalString('Slack incoming-webhook URL (secret: use ${env:NAME}). null: channel off.', {
        pattern: '^https?://',
        writeOnly: true,
      }),
      ...channelFilters,
      maxScriptLogChars: maxScriptLogChars(
        'Script-log characters per message (Slack limits a text block to 3,000); head and tail are kept.',
      ),
    }),
    teams: section({
      webhookUrl: optionalString(
        "Power Automate workflow URL ('when a Teams webhook request is received'; secret). null: channel off.",
        { pattern: '^https?://', writeOnly: true },
      ),
      ...channelFilters,
      maxScriptLogChars: maxScriptLogChars('Script-log characters per card; head and tail are kept.'),
    }),
    webhook: listSetting(AlertWebhook, 'Generic webhooks [{ name, url, method, headers, outcomes, tasks }].'),
    email: Email,
    mqtt: section({
      enabled: Type.Boolean({
        default: true,
        description:
          'Publish alerts when the mqtt section is enabled (its broker and client are used); false: never.',
      }),
      topic: Type.String({
        minLength: 1,
        pattern: '^[^#+]+$',
        default: 'qliksense/reloadtask',
        description: 'Root topic; JSON goes to <topic>/<failed|aborted|success>.',
      }),
      ...channelFilters,
    }),
  },
  { description: 'Where alerts go; each channel is optional.' },
);
