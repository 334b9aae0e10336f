/** MQTT topic rules (MQTT 3.1.1 §4.7): what we may publish to, and which subscription a topic matches. */

/** Longest topic we publish to; the protocol allows 65,535 bytes, real topics are short. */
export const MAX_TOPIC_LENGTH = 1024;

/**
 * Why a topic cannot be published to, or null. A broker disconnects a client that publishes to a
 * wildcard topic, so one bad request must not be able to cut every other publisher off.
 */
export function publishTopicProblem(topic: string): string | null {
  if (topic.length === 0) return 'must not be empty';
  if (topic.length > MAX_TOPIC_LENGTH) return `must NOT have more than ${MAX_TOPIC_LENGTH} characters`;
  if (/[#+]/.test(topic)) return "must not contain the wildcards '+' or '#'";
  if (topic.includes('\u0000')) return 'must not contain NUL';
  return null;
}

/** Whether `topic` matches the subscription `filter` (with `+` and `#` wildcards). */
export function topicMatches(filter: string, topic: string): boolean {
  const want = filter.split('/');
  const have = topic.split('/');
  for (let i = 0; i < want.length; i++) {
    const level = want[i];
    if (level === '#') return !(i === 0 && topic.startsWith('$'));
    if (i >= have.length) return false;
    if (level === '+') {
      if (i === 0 && topic.startsWith('$')) return false;
      continue;
    }
    if (level !== have[i]) return false;
  }
  return want.length === have.length;
}
