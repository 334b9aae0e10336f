/** Sub-schemas used by several sections; the shipped document lists them under `definitions`. */
import { Type } from '@sinclair/typebox';
import { strictObject } from './kit';

export const PathSetting = Type.String({
  minLength: 1,
  description: "A directory or file path; relative paths resolve against the config file's directory.",
});

export const DirPair = strictObject({ from: PathSetting, to: PathSetting });

export const NameValue = strictObject({
  name: Type.String({ minLength: 1 }),
  value: Type.String(),
});

/** An HTTP header whose value may carry a key, so it is redacted like any secret. */
export const SecretNameValue = strictObject({
  name: Type.String({
    minLength: 1,
    pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
    description: 'HTTP header name.',
  }),
  value: Type.String({
    writeOnly: true,
    description: 'Header value (may carry a key: treated as a secret).',
  }),
});
