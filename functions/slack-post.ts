/** PUT /v4/slackpostmessage (Butler #35): post a message through the Slack webhook in `slack.webhookUrl`. */
import { Type } from '@sinclair/typebox';
import { method, registerEndpoint, reply } from '../shared/http/endpoint';

const SlackMessage = Type.Object({
  channel: Type.String({ maxLength: 255 }),
  from_user: Type.String({ maxLength: 255 }),
  // Longer messages are cut to Slack's limit, so only the 1 MiB body limit bounds this.
  msg: Type.String({ minLength: 1, description: 'Cut to 3,000 characters (ending in …)' }),
  emoji: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. :ghost:' })),
});

registerEndpoint('slackpostmessage', 'v4/slackpostmessage', {
  PUT: method({
    id: 'slackpostmessage',
    summary: 'Post a message through the Slack incoming webhook (slack.webhookUrl)',
    enabledBy: 'slackPostMessage',
    body: SlackMessage,
    replies: { 201: reply('The message as sent', SlackMessage) },
    errors: ['SLACK_ERROR', 'NOT_CONFIGURED', 'UPSTREAM_TIMEOUT'],
    handle: async ({ body, services }) => {
      await services.slack.post(body);
      const { channel, from_user, msg, emoji } = body;
      return { status: 201, body: { channel, from_user, msg, emoji } };
    },
  }),
});
