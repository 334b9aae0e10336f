/** `slack` and `newRelic`: the two outbound services callers post to through the API. */
import { Type } from '@sinclair/typebox';
import { NameValue, SecretNameValue } from './common';
import { listSetting, optionalString, section, strictObject } from './kit';

const timeoutMs = (description: string) =>
  Type.Integer({ minimum: 100, maximum: 120000, default: 10000, description });

export const SlackSection = section(
  {
    webhookUrl: optionalString('Incoming webhook URL (secret: use ${env:NAME}).', {
      pattern: '^https?://',
      writeOnly: true,
    }),
    timeoutMs: timeoutMs('Timeout of a call to the webhook (ms).'),
  },
  { description: 'Slack.' },
);

export const NewRelicAccount = strictObject({
  name: Type.String({ minLength: 1, description: 'Name callers use to pick this account.' }),
  insertApiKey: Type.String({
    minLength: 1,
    writeOnly: true,
    description: 'New Relic Insert API key (secret: use ${env:NAME}).',
  }),
  // YAML reads `accountId: 1234567` as a number; loading turns it into the string this type promises.
  accountId: Type.Unsafe<string>({
    type: ['string', 'integer'],
    pattern: '^[0-9]+$',
    minimum: 1,
    description: 'New Relic account id (a number; stored as a string).',
  }),
});

export const NewRelicSection = section(
  {
    accounts: listSetting(NewRelicAccount, 'Accounts events and metrics can be sent to.'),
    eventUrl: Type.String({
      pattern: '^https?://',
      default: 'https://insights-collector.eu01.nr-data.net',
      description: 'Events go to <eventUrl>/v1/accounts/<accountId>/events.',
    }),
    metricUrl: Type.String({
      pattern: '^https?://',
      default: 'https://insights-collector.eu01.nr-data.net/metric/v1',
      description: 'Metric API URL.',
    }),
    headers: listSetting(SecretNameValue, 'Extra request headers [{ name, value }].'),
    staticAttributes: listSetting(NameValue, 'Attributes added to every event and metric [{ name, value }].'),
    timeoutMs: timeoutMs('Timeout of a call to New Relic (ms).'),
  },
  { description: 'New Relic.' },
);
