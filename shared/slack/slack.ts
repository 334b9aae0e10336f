/**
 * Posts a message to the Slack incoming webhook in `slack.webhookUrl`, in the payload shape Butler
 * sends: username, channel, icon_emoji and one plain-text section block. Unlike Butler, a refusal or
 * a silent webhook is reported to the caller (502 / 504) instead of only logged.
 */
import { ApiError } from '../http/errors';
import type { ButlerConfig } from '../config/types';
import { answerExcerpt, UpstreamClient, withoutSecrets } from '../upstream/http-post';

/** Slack rejects a section block whose text is longer than this. */
export const SLACK_TEXT_LIMIT = 3000;

export interface SlackMessage {
  channel: string;
  from_user: string;
  msg: string;
  emoji?: string;
}

/** At most `limit` characters (code points, so no emoji is cut in half), ending in "…" when cut. */
export function truncateText(text: string, limit = SLACK_TEXT_LIMIT): string {
  const chars = Array.from(text);
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

export function slackPayload(message: SlackMessage): string {
  return JSON.stringify({
    username: message.from_user,
    channel: message.channel,
    icon_emoji: message.emoji,
    blocks: [{ type: 'section', text: { type: 'plain_text', text: truncateText(message.msg) } }],
  });
}

export class SlackClient {
  private readonly cfg: ButlerConfig['slack'];
  private readonly http: UpstreamClient;

  constructor(cfg: ButlerConfig['slack']) {
    this.cfg = cfg;
    this.http = new UpstreamClient(cfg.timeoutMs);
  }

  async post(message: SlackMessage): Promise<void> {
    const url = this.cfg.webhookUrl;
    if (url === null) {
      throw new ApiError('NOT_CONFIGURED', 'Slack is not configured: slack.webhookUrl is not set');
    }
    const answer = await this.http.post({
      service: 'Slack',
      errorCode: 'SLACK_ERROR',
      timeoutSetting: 'slack.timeoutMs',
      url,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: slackPayload(message),
    });
    if (answer.status < 200 || answer.status > 299) {
      // Slack explains a refusal in a short body, e.g. "channel_not_found" or "invalid_token".
      const reason = answerExcerpt(withoutSecrets(answer.text, [url]));
      throw new ApiError(
        'SLACK_ERROR',
        `Slack answered ${answer.status} ${reason || answer.statusText}`.trimEnd(),
      );
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
