/** PUT /v4/slackpostmessage (Butler #35): post a message through the Slack webhook in `slack.webhookUrl`. */
import { method, registerEndpoint } from '../shared/http/endpoint';
import type { SlackMessage } from '../shared/slack/slack';

const slackBodySchema = {
  type: 'object',
  required: ['channel', 'from_user', 'msg'],
  properties: {
    channel: { type: 'string', maxLength: 255 },
    from_user: { type: 'string', maxLength: 255 },
    // Longer messages are cut to Slack's limit, so only the 1 MiB body limit bounds this.
    msg: { type: 'string', minLength: 1 },
    emoji: { type: 'string', maxLength: 100 },
  },
};

registerEndpoint('slackpostmessage', 'v4/slackpostmessage', {
  PUT: method<Record<string, unknown>, SlackMessage>({
    enabledBy: 'slackPostMessage',
    body: slackBodySchema,
    handle: async ({ body, services }) => {
      await services.slack.post(body);
      const { channel, from_user, msg, emoji } = body;
      return { status: 201, body: { channel, from_user, msg, emoji } };
    },
  }),
});
