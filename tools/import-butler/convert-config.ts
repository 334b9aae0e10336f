/**
 * Butler 16 config (the `Butler:` tree of its YAML file) → this project's config. Secrets are never
 * copied: each becomes `${env:NAME}` plus an app setting the administrator sets. Every Butler setting
 * that is not carried over is reported with the reason.
 */
import path from 'node:path';
import { ButlerTree, isTree, type Tree } from './butler-tree';
import { endpointTree, type EndpointTree } from './endpoint-tree';
import { groupFor, reasonFor } from './reasons';

export interface NotCarried {
  /** A Butler setting path (`Butler.…`), or a group of them ending in `*`. */
  setting: string;
  reason: string;
  /** How many leaf settings the entry stands for. */
  count: number;
}

/** An app setting to create. Secrets name where the value is, never the value. */
export interface AppSetting {
  name: string;
  secret: boolean;
  /** Non-secret settings only. */
  value?: string;
  /** The Butler setting that holds the value. */
  from: string;
}

export interface ConfigImport {
  config: Tree;
  appSettings: AppSetting[];
  notCarried: NotCarried[];
  /** Things that were carried over but behave differently, or need a decision. */
  notes: string[];
  scheduler: { enabled: boolean; file: string | null };
}

const ROOT = 'Butler';

function envName(...parts: string[]): string {
  return parts
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Absolute paths only (Butler resolved relative ones against its working directory); tidy like Butler did. */
function absolutePath(raw: string): string | null {
  if (/^[A-Za-z]:[\\/]/.test(raw) || /^(\\\\|\/\/)[^\\/]/.test(raw)) {
    const normal = path.win32.normalize(raw);
    return normal.length > 3 ? normal.replace(/[\\]+$/, '') : normal;
  }
  if (raw.startsWith('/')) {
    const normal = path.posix.normalize(raw);
    return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
  }
  return null;
}

export function convertButlerConfig(document: unknown): ConfigImport {
  const rootTree = isTree(document) && isTree(document[ROOT]) ? document[ROOT] : null;
  if (!rootTree) throw new Error(`not a Butler config file: no top-level "${ROOT}:" section`);
  const b = new ButlerTree(rootTree);
  const out: ConfigImport = {
    config: {},
    appSettings: [],
    notCarried: [],
    notes: [],
    scheduler: { enabled: false, file: null },
  };
  const config = out.config;
  const secret = (name: string, from: string) => {
    if (!out.appSettings.some((s) => s.name === name))
      out.appSettings.push({ name, secret: true, from: `${ROOT}.${from}` });
    return `\${env:${name}}`;
  };
  const setting = (name: string, value: string, from: string) =>
    out.appSettings.push({ name, secret: false, value, from: `${ROOT}.${from}` });
  const skip = (from: string, reason: string) =>
    out.notCarried.push({ setting: `${ROOT}.${from}`, reason, count: 1 });

  // --- Sense connection -------------------------------------------------------------------------
  const sense: Tree = {};
  const qrsHost = b.text('configQRS.host');
  const engineHost = b.text('configEngine.host');
  if (qrsHost) sense.host = qrsHost;
  if (engineHost && qrsHost && engineHost.toLowerCase() !== qrsHost.toLowerCase()) {
    out.notes.push(
      `Butler.configEngine.host differs from configQRS.host: here QRS and the Engine are reached on one host (sense.host = configQRS.host).`,
    );
  }
  const qrsPort = Number(b.text('configQRS.port'));
  if (Number.isInteger(qrsPort) && qrsPort > 0) sense.qrsPort = qrsPort;
  const enginePort = Number(b.text('configEngine.port'));
  if (Number.isInteger(enginePort) && enginePort > 0) sense.enginePort = enginePort;
  for (const [from, to] of [
    ['cert.clientCert', 'cert'],
    ['cert.clientCertKey', 'key'],
    ['cert.clientCertCA', 'ca'],
  ] as const) {
    const file = b.text(from);
    if (!file) continue;
    sense[to] = file;
    if (!absolutePath(file)) {
      out.notes.push(`Butler.${from} is relative: here it resolves against the new config file's folder.`);
    }
  }
  const reject = b.bool('configQRS.rejectUnauthorized');
  if (reject !== undefined) {
    sense.rejectUnauthorized = reject;
    if (!reject) {
      out.notes.push(
        "sense.rejectUnauthorized is false as in Butler: Sense's certificate is not verified. Set sense.serverName to the name in Sense's certificate and rejectUnauthorized to true.",
      );
    }
  }
  const user = qlikUser(b.list('configQRS.headers.static'));
  if (user) Object.assign(sense, user);
  else if (qrsHost)
    out.notes.push(
      'No X-Qlik-User header in Butler.configQRS.headers.static: sense.userDirectory/userId keep their defaults (INTERNAL\\sa_repository).',
    );
  if (b.bool('configQRS.useSSL') === false || b.bool('configEngine.useSSL') === false) {
    out.notes.push(
      'Butler had useSSL: false for Sense; here Sense is always reached over TLS with the client certificate.',
    );
  }
  if (Object.keys(sense).length) config.sense = sense;

  // --- REST API ---------------------------------------------------------------------------------
  const restEnabled = b.bool('restServerConfig.enable') !== false;
  const endpoints = endpointFlags(b, 'restServerEndpointsEnable', endpointTree(), skip);
  if (!restEnabled) {
    out.notes.push(
      "Butler's REST API was off (restServerConfig.enable: false): every api.endpoints flag is set to false.",
    );
    switchAllOff(endpoints);
  }
  config.api = { auth: 'function', endpoints };
  out.notes.push(
    'api.auth is function: every call needs a function key (header x-functions-key or ?code=). Add it to the Butler_GET/Butler_POST connections (scripts/butler-functions.qvs), or set api.auth: anonymous for a drop-in switch.',
  );
  const bind = b.text('restServerConfig.serverHost');
  if (bind) setting('BUTLER_BIND', bind, 'restServerConfig.serverHost');
  const port = b.text('restServerConfig.serverPort');
  if (port) setting('BUTLER_PORT', port, 'restServerConfig.serverPort');
  if (b.bool('restServerConfig.tls.enable')) {
    const cert = b.text('restServerConfig.tls.cert');
    const key = b.text('restServerConfig.tls.key');
    if (cert) setting('BUTLER_TLS_CERT', cert, 'restServerConfig.tls.cert');
    if (key) setting('BUTLER_TLS_KEY', key, 'restServerConfig.tls.key');
  } else {
    b.take('restServerConfig.tls');
    out.notes.push(
      "Butler served plain HTTP: consider HTTPS (BUTLER_TLS_CERT/BUTLER_TLS_KEY) and BUTLER_ALLOW with the Sense nodes' addresses.",
    );
  }

  // --- Start-task filter ------------------------------------------------------------------------
  const filterEnable = b.bool('startTaskFilter.enable');
  const taskIds = b.list('startTaskFilter.allowTask.taskId').map(String);
  const tags = b.list('startTaskFilter.allowTask.tag').map(String);
  const customProperty = b
    .list('startTaskFilter.allowTask.customProperty')
    .filter(isTree)
    .map((cp) => ({ name: String(cp.name as string), value: String(cp.value as string) }));
  if (filterEnable !== undefined || taskIds.length || tags.length || customProperty.length) {
    (config.api as Tree).startTaskFilter = {
      enable: filterEnable ?? false,
      allowTask: { taskId: taskIds, tag: tags, customProperty },
    };
  }

  // --- Key-value store, scheduler ---------------------------------------------------------------
  const maxKeys = Number(b.text('keyValueStore.maxKeysPerNamespace'));
  if (Number.isInteger(maxKeys) && maxKeys > 0) config.keyValueStore = { maxKeysPerNamespace: maxKeys };
  out.scheduler = { enabled: b.bool('scheduler.enable') ?? false, file: b.text('scheduler.configfile') };

  // --- File operations --------------------------------------------------------------------------
  const fileOps: Tree = {};
  const dir = (raw: unknown, from: string): string | null => {
    const text = typeof raw === 'string' ? raw.trim() : '';
    const abs = text ? absolutePath(text) : null;
    if (!abs) skip(from, `'${text}' is not an absolute path (required here)`);
    return abs;
  };
  for (const [from, to] of [
    ['fileCopyApprovedDirectories', 'copy'],
    ['fileMoveApprovedDirectories', 'move'],
  ] as const) {
    const pairs: Tree[] = [];
    b.list(from).forEach((pair, i) => {
      if (!isTree(pair)) return skip(`${from}[${i}]`, 'not a { fromDirectory, toDirectory } pair');
      const a = dir(pair.fromDirectory, `${from}[${i}].fromDirectory`);
      const z = dir(pair.toDirectory, `${from}[${i}].toDirectory`);
      if (a && z) pairs.push({ from: a, to: z });
    });
    if (pairs.length) fileOps[to] = pairs;
  }
  const deletes = b
    .list('fileDeleteApprovedDirectories')
    .map((d, i) => dir(d, `fileDeleteApprovedDirectories[${i}]`))
    .filter((d): d is string => d !== null);
  if (deletes.length) fileOps.delete = deletes;
  const qvdPath = b.text('configDirectories.qvdPath');
  if (qvdPath) fileOps.qvdRoot = qvdPath;
  if (Object.keys(fileOps).length) config.fileOps = fileOps;
  if (endpoints.createDir !== false) {
    out.notes.push(
      'Butler let /v4/createdir create any directory; here only below the roots in fileOps.createDir (none yet, so it answers 403). Add the roots your scripts use.',
    );
  }

  // --- MQTT -------------------------------------------------------------------------------------
  const mqttEnabled = b.bool('mqttConfig.enable') ?? false;
  const brokerHost = b.text('mqttConfig.brokerHost');
  const brokerPort = b.text('mqttConfig.brokerPort');
  const eventGrid = b.bool('mqttConfig.azureEventGrid.enable') ?? false;
  b.take('mqttConfig.azureEventGrid.enable');
  const mqtt: Tree = { enabled: mqttEnabled };
  if (brokerHost)
    mqtt.url = `${eventGrid ? 'mqtts' : 'mqtt'}://${brokerHost}${brokerPort ? `:${brokerPort}` : ''}`;
  if (eventGrid) {
    const clientId = b.text('mqttConfig.azureEventGrid.clientId');
    const cert = b.text('mqttConfig.azureEventGrid.clientCertFile');
    const key = b.text('mqttConfig.azureEventGrid.clientKeyFile');
    if (clientId) mqtt.clientId = clientId;
    if (cert) mqtt.cert = cert;
    if (key) mqtt.key = key;
  } else {
    b.take('mqttConfig.azureEventGrid');
  }
  const startTopic = b.text('mqttConfig.taskStartTopic');
  if (startTopic) mqtt.taskStartTopic = startTopic;
  if (mqttEnabled && !brokerHost) {
    mqtt.enabled = false;
    out.notes.push('Butler.mqttConfig.enable is true but brokerHost is not set: mqtt.enabled is false.');
  }
  if (mqttEnabled && !eventGrid) {
    out.notes.push(
      'Butler connected to MQTT without TLS or credentials (mqtt://). Prefer mqtts:// with mqtt.username/password (${env:MQTT_PASSWORD}) or a client certificate.',
    );
  }
  if (mqttEnabled || brokerHost) config.mqtt = mqtt;

  // --- Slack ------------------------------------------------------------------------------------
  if (b.text('slackNotification.restMessage.webhookURL')) {
    config.slack = { webhookUrl: secret('SLACK_WEBHOOK_URL', 'slackNotification.restMessage.webhookURL') };
  }

  // --- New Relic --------------------------------------------------------------------------------
  const newRelic = convertNewRelic(b, secret, skip, out.notes);
  if (newRelic) config.newRelic = newRelic;

  // --- Everything else --------------------------------------------------------------------------
  // Grouped by the reason's prefix when that prefix is a whole section (`Butler.influxDb.*`).
  const groups = new Map<string, number>();
  for (const leaf of b.unused()) {
    const prefix = groupFor(leaf);
    const group = prefix !== leaf && isTree(b.take(prefix)) ? prefix : leaf;
    groups.set(group, (groups.get(group) ?? 0) + 1);
  }
  for (const [group, count] of groups) {
    const section = isTree(b.take(group));
    const details = [
      count > 1 ? `${count} settings` : '',
      b.bool(`${group}.enable`) === false ? 'disabled in Butler' : '',
    ]
      .filter(Boolean)
      .join(', ');
    out.notCarried.push({
      setting: `${ROOT}.${group}${section ? '.*' : ''}${details ? ` (${details})` : ''}`,
      reason: reasonFor(group),
      count,
    });
  }
  return out;
}

/** `UserDirectory=X; UserId=Y` from Butler's static X-Qlik-User header. */
function qlikUser(headers: unknown[]): { userDirectory: string; userId: string } | null {
  const header = headers.filter(isTree).find((h) => String(h.name as string).toLowerCase() === 'x-qlik-user');
  if (!header) return null;
  const parts = new Map(
    String(header.value as string)
      .split(';')
      .map((part) => part.split('=').map((s) => s.trim()))
      .filter((kv): kv is [string, string] => kv.length === 2 && kv[0] !== '')
      .map(([k, v]) => [k.toLowerCase(), v]),
  );
  const userDirectory = parts.get('userdirectory');
  const userId = parts.get('userid');
  return userDirectory && userId ? { userDirectory, userId } : null;
}

/** Butler's enable tree, name for name (unknown names reported); absent flags stay at their default. */
function endpointFlags(
  b: ButlerTree,
  base: string,
  tree: EndpointTree,
  skip: (from: string, reason: string) => void,
): Tree {
  const out: Tree = {};
  const source = b.take(base);
  if (!isTree(source)) return out;
  for (const [name, value] of Object.entries(source)) {
    const known = tree[name];
    if (known === undefined) {
      skip(`${base}.${name}`, 'no such operation here');
    } else if (known === true) {
      if (typeof value === 'boolean') out[name] = value;
    } else if (isTree(value)) {
      out[name] = endpointFlags(b, `${base}.${name}`, known, skip);
    }
  }
  return out;
}

function switchAllOff(flags: Tree, tree: EndpointTree = endpointTree()): void {
  for (const [name, known] of Object.entries(tree)) {
    if (known === true) flags[name] = false;
    else {
      const child = isTree(flags[name]) ? flags[name] : {};
      switchAllOff(child, known);
      flags[name] = child;
    }
  }
}

interface NameValue {
  name: string;
  value: string;
}

function nameValues(list: unknown[]): NameValue[] {
  return list
    .filter(isTree)
    .filter((item) => typeof item.name === 'string' && item.name !== '')
    .map((item) => ({ name: item.name as string, value: String(item.value as string) }));
}

function convertNewRelic(
  b: ButlerTree,
  secret: (name: string, from: string) => string,
  skip: (from: string, reason: string) => void,
  notes: string[],
): Tree | null {
  const out: Tree = {};
  const accounts: Tree[] = [];
  b.list('thirdPartyToolsCredentials.newRelic').forEach((account, i) => {
    const from = `thirdPartyToolsCredentials.newRelic[${i}]`;
    if (!isTree(account)) return skip(from, 'not an { accountName, insertApiKey, accountId } entry');
    const name = typeof account.accountName === 'string' ? account.accountName.trim() : '';
    const accountId = String(account.accountId).trim();
    if (
      !name ||
      !/^[0-9]+$/.test(accountId) ||
      typeof account.insertApiKey !== 'string' ||
      !account.insertApiKey
    ) {
      return skip(from, 'needs accountName, a numeric accountId and insertApiKey');
    }
    accounts.push({
      name,
      accountId,
      insertApiKey: secret(envName('NEW_RELIC_INSERT_KEY', name), `${from}.insertApiKey`),
    });
  });
  if (accounts.length) out.accounts = accounts;

  const base = 'restServerEndpointsConfig.newRelic';
  const eventUrl = b.text(`${base}.postNewRelicEvent.url`);
  if (eventUrl) out.eventUrl = eventUrl.replace(/\/+$/, '');
  const metricUrl = b.text(`${base}.postNewRelicMetric.url`);
  if (metricUrl) out.metricUrl = metricUrl.replace(/\/+$/, '');

  const headers = new Map<string, { value: string; from: string }>();
  const attributes = new Map<string, string>();
  for (const kind of ['postNewRelicEvent', 'postNewRelicMetric']) {
    nameValues(b.list(`${base}.${kind}.header`)).forEach((h, i) => {
      const seen = headers.get(h.name);
      if (seen && seen.value !== h.value) {
        notes.push(
          `New Relic header ${h.name} has different values for events and metrics in Butler: the one from ${seen.from} is used for both.`,
        );
      }
      if (!seen) headers.set(h.name, { value: h.value, from: `${base}.${kind}.header[${i}].value` });
    });
    for (const a of nameValues(b.list(`${base}.${kind}.attribute.static`))) {
      if (attributes.has(a.name) && attributes.get(a.name) !== a.value) {
        notes.push(
          `New Relic static attribute ${a.name} differs between events and metrics in Butler: the event value is used for both.`,
        );
      }
      if (!attributes.has(a.name)) attributes.set(a.name, a.value);
    }
  }
  // Header values may carry credentials: they travel as app settings like every secret.
  if (headers.size) {
    out.headers = [...headers].map(([name, h]) => ({
      name,
      value: secret(envName('NEW_RELIC_HEADER', name), h.from),
    }));
  }
  if (attributes.size) out.staticAttributes = [...attributes].map(([name, value]) => ({ name, value }));

  const destinations = new Set(
    [
      ...b.list(`${base}.postNewRelicEvent.destinationAccount`),
      ...b.list(`${base}.postNewRelicMetric.destinationAccount`),
    ].map(String),
  );
  const names = accounts.map((a) => a.name as string);
  if (names.some((n) => !destinations.has(n))) {
    notes.push(
      'Butler sent New Relic data only to the destinationAccount lists; here every newRelic account receives every event and metric. Remove accounts you do not want.',
    );
  }
  return Object.keys(out).length ? out : null;
}
