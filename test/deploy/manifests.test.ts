/**
 * deploy/: every Kubernetes manifest parses, and the pieces fit each other and the repository — the
 * Secret's entries are the host's key file names (and the embedded host accepts them as such), mounts
 * and env names match what the code reads, the ConfigMap's config validates, ports and selectors line
 * up, timers run on one instance, and the Dockerfile ships what package.json#main loads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../shared/config/load';
import { PROJECT_ROOT, startProductHost, type ProductHost } from '../helpers/product-host';

const K8S = path.join(PROJECT_ROOT, 'deploy', 'kubernetes');
const KEYS_MOUNT = '/run/secrets/functions-keys';
const IMAGE_PORT = 80; // the Functions image listens on http://+:80

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   manifests are untyped YAML read by shape; the asserts check each shape they rely on */
type Obj = Record<string, any>;
interface Manifest {
  file: string;
  doc: Obj;
}

const manifests: Manifest[] = [];
let functions: { name: string; http: boolean; timer: boolean }[] = [];
let api: ProductHost | undefined;

before(async () => {
  for (const file of (await readdir(K8S)).filter((f) => f.endsWith('.yaml')).sort()) {
    const docs = parseAllDocuments(await readFile(path.join(K8S, file), 'utf8'));
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      assert.deepEqual(doc.errors, [], `${file}: YAML errors`);
      const value = doc.toJS() as Obj | null;
      if (value) manifests.push({ file, doc: value });
    }
  }
  api = await startProductHost();
  functions = api.host.registrations.map(({ name, bindings }) => {
    const types = Object.values(bindings).map((b) => (b as { type?: string }).type);
    return { name, http: types.includes('httpTrigger'), timer: types.includes('timerTrigger') };
  });
  await api.close();
  api = undefined;
});
after(async () => {
  await api?.close();
});

function find(kind: string, name: string): Obj {
  const hit = manifests.find((m) => m.doc.kind === kind && m.doc.metadata?.name === name);
  assert.ok(hit, `no ${kind} ${name} in deploy/kubernetes`);
  return hit.doc;
}
function deployments(): Obj[] {
  return manifests.filter((m) => m.file !== 'azurite.yaml' && m.doc.kind === 'Deployment').map((m) => m.doc);
}
function container(deployment: Obj): Obj {
  const containers = deployment.spec.template.spec.containers as Obj[];
  assert.equal(containers.length, 1, deployment.metadata.name);
  return containers[0]!;
}
function envOf(c: Obj): Map<string, Obj> {
  return new Map(((c.env ?? []) as Obj[]).map((e) => [e.name as string, e]));
}
function mountOf(deployment: Obj, volumeSource: 'secret' | 'configMap', name: string): string {
  const volume = (deployment.spec.template.spec.volumes as Obj[]).find(
    (v) => (volumeSource === 'secret' ? v.secret?.secretName : v.configMap?.name) === name,
  );
  assert.ok(volume, `${deployment.metadata.name}: no volume for ${volumeSource} ${name}`);
  const mount = (container(deployment).volumeMounts as Obj[]).find((m) => m.name === volume.name);
  assert.ok(mount, `${deployment.metadata.name}: volume ${volume.name} not mounted`);
  return mount.mountPath as string;
}
function secretKeys(name: string): string[] {
  const secret = find('Secret', name);
  return Object.keys({ ...secret.data, ...secret.stringData });
}

test('every manifest names its kind, and kustomization lists every file but the lab-only Azurite', async () => {
  for (const { file, doc } of manifests) {
    assert.ok(doc.apiVersion && doc.kind, `${file}: apiVersion and kind`);
    if (doc.kind === 'Kustomization') continue;
    assert.ok(doc.metadata?.name, `${file}: metadata.name`);
    if (doc.kind !== 'Namespace')
      assert.equal(doc.metadata.namespace, 'butler', `${file} ${doc.metadata.name}`);
  }
  const kustomization = manifests.find((m) => m.doc.kind === 'Kustomization');
  assert.ok(kustomization);
  const files = (await readdir(K8S)).filter((f) => f.endsWith('.yaml'));
  const expected = files.filter((f) => f !== 'kustomization.yaml' && f !== 'azurite.yaml').sort();
  assert.deepEqual([...(kustomization.doc.resources as string[])].sort(), expected);
});

test("the keys Secret holds only the host's key file names, for functions that exist", () => {
  const names = secretKeys('butler-function-keys');
  assert.ok(names.includes('host.master') && names.includes('host.function.default'));
  const registered = new Set(functions.map((f) => f.name.toLowerCase()));
  for (const name of names) {
    const perFunction = /^functions\.([^.]+)\.[^.]+$/.exec(name);
    assert.ok(
      /^host\.master$|^host\.(function|systemKey)\.[^.]+$/.test(name) || perFunction,
      `${name} is not a key file name the host reads`,
    );
    if (perFunction) assert.ok(registered.has(perFunction[1]!.toLowerCase()), `${name}: no such function`);
  }
  for (const deployment of deployments()) {
    assert.equal(mountOf(deployment, 'secret', 'butler-function-keys'), KEYS_MOUNT);
    assert.equal(envOf(container(deployment)).get('AzureWebJobsSecretStorageType')?.value, 'kubernetes');
  }
});

test('the same entry names work as a key directory: a per-function key opens only its function', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'butler-k8s-keys-'));
  try {
    const values = new Map<string, string>();
    for (const name of secretKeys('butler-function-keys')) {
      const value = `${name.replace(/\W/g, '')}-${Math.random().toString(36).slice(2)}-${Date.now()}`;
      values.set(name, value);
      await writeFile(path.join(dir, name), value, { mode: 0o600 });
    }
    api = await startProductHost({ keysDir: dir });
    const monitoring = values.get('functions.butlerping.monitoring');
    assert.ok(monitoring, 'the example per-function key');
    assert.equal((await api.call('/v4/butlerping', { key: monitoring })).status, 200);
    assert.equal((await api.call('/v4/apps/list', { key: monitoring })).status, 401);
    assert.equal(
      (await api.call('/v4/butlerping', { key: values.get('host.function.default')! })).status,
      200,
    );
  } finally {
    await api?.close();
    api = undefined;
    await rm(dir, { recursive: true, force: true });
  }
});

test('the ConfigMap config validates with the env the Deployments provide, and its files are mounted', () => {
  const configMap = find('ConfigMap', 'butler-config');
  for (const deployment of deployments()) {
    const c = container(deployment);
    const env = envOf(c);
    const configFile = env.get('BUTLER_CONFIG_FILE')?.value as string;
    assert.ok(configFile, `${deployment.metadata.name}: BUTLER_CONFIG_FILE`);
    assert.equal(path.posix.dirname(configFile), mountOf(deployment, 'configMap', 'butler-config'));
    const text = configMap.data[path.posix.basename(configFile)] as string;
    assert.ok(text, `ConfigMap has no ${path.posix.basename(configFile)}`);

    // Every secretKeyRef names a Secret of the manifests and one of its entries.
    for (const entry of env.values()) {
      const ref = entry.valueFrom?.secretKeyRef as Obj | undefined;
      if (ref)
        assert.ok(
          secretKeys(ref.name as string).includes(ref.key as string),
          `${entry.name}: ${ref.name}/${ref.key}`,
        );
    }
    // Every ${env:NAME} in the config is an env entry of the container.
    for (const [, name] of text.matchAll(/\$\{env:([^}]+)\}/g)) {
      assert.ok(
        env.has(name!),
        `${deployment.metadata.name}: the config reads ${name} but the container has no such env`,
      );
    }
    const settings: NodeJS.ProcessEnv = {};
    for (const name of env.keys()) settings[name] = `https://value-of-${name}.example`;
    const config = loadMountedConfig(text, settings);
    assert.equal(config.state.backend, 'table');
    assert.equal(config.state.table.connectionString, 'https://value-of-AzureWebJobsStorage.example');

    const certs = mountOf(deployment, 'secret', 'butler-sense-certs');
    for (const file of [config.sense.cert, config.sense.key, config.sense.ca]) {
      assert.ok(file, 'sense cert, key and ca are set');
      assert.equal(path.posix.dirname(file), certs, file);
      assert.ok(secretKeys('butler-sense-certs').includes(path.posix.basename(file)), file);
    }
  }
});

/** Loads the ConfigMap's text as the host would (its mount path does not exist here). */
function loadMountedConfig(text: string, env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'butler-k8s-config-'));
  try {
    const file = path.join(dir, 'butler.config.yaml');
    writeFileSync(file, text);
    return loadConfig({ env: { ...env, BUTLER_CONFIG_FILE: file } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function labels(deployment: Obj): Obj {
  return deployment.spec.template.metadata.labels as Obj;
}
function selects(selector: Obj, podLabels: Obj): boolean {
  return Object.entries(selector).every(([k, v]) => podLabels[k] === v);
}

test('probes, ports, resources and selectors line up with the image and with each other', () => {
  const http = find('Deployment', 'butler-http');
  for (const deployment of deployments()) {
    const c = container(deployment);
    const ports = c.ports as Obj[];
    const named = ports.find((p) => p.name === 'http');
    assert.equal(named?.containerPort, IMAGE_PORT, `${deployment.metadata.name}: container port`);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      if (!c[probe]) continue;
      assert.equal(c[probe].httpGet.path, '/admin/host/ping', `${deployment.metadata.name} ${probe}`);
      assert.ok(
        [IMAGE_PORT, 'http'].includes(c[probe].httpGet.port),
        `${deployment.metadata.name} ${probe} port`,
      );
    }
    assert.ok(c.livenessProbe, `${deployment.metadata.name}: liveness probe`);
    for (const kind of ['requests', 'limits']) {
      assert.ok(
        c.resources?.[kind]?.cpu && c.resources?.[kind]?.memory,
        `${deployment.metadata.name}: ${kind}`,
      );
    }
    assert.ok(selects(deployment.spec.selector.matchLabels, labels(deployment)), deployment.metadata.name);
    assert.equal(c.image, container(http).image, 'both Deployments run the same image');
  }
  assert.ok(http.spec.replicas >= 2, 'the HTTP side runs several replicas');
  assert.ok(container(http).readinessProbe, 'the HTTP side has a readiness probe');

  const service = find('Service', 'butler-http');
  assert.ok(selects(service.spec.selector, labels(http)));
  assert.ok(
    !selects(service.spec.selector, labels(find('Deployment', 'butler-timers'))),
    'no traffic to timers',
  );
  for (const port of service.spec.ports as Obj[]) assert.ok(['http', IMAGE_PORT].includes(port.targetPort));
  assert.equal(service.spec.externalTrafficPolicy, 'Local', 'client addresses reach the NetworkPolicy');

  const hpa = find('HorizontalPodAutoscaler', 'butler-http');
  assert.deepEqual(
    [hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name],
    ['Deployment', 'butler-http'],
  );
  assert.ok(selects(find('PodDisruptionBudget', 'butler-http').spec.selector.matchLabels, labels(http)));
});

test('the NetworkPolicies play the allow-list: only listed clients reach the API port, timers take no traffic', () => {
  const http = find('Deployment', 'butler-http');
  const timers = find('Deployment', 'butler-timers');
  const service = find('Service', 'butler-http');
  const httpPolicy = find('NetworkPolicy', 'butler-http');
  const timerPolicy = find('NetworkPolicy', 'butler-timers');
  assert.ok(selects(httpPolicy.spec.podSelector.matchLabels, labels(http)));
  assert.ok(selects(timerPolicy.spec.podSelector.matchLabels, labels(timers)));
  for (const policy of [httpPolicy, timerPolicy]) {
    assert.deepEqual([...policy.spec.policyTypes].sort(), ['Egress', 'Ingress']);
    const egressPorts = (policy.spec.egress as Obj[]).flatMap((rule) =>
      (rule.ports as Obj[]).map((p) => p.port),
    );
    for (const port of [4242, 4747, 443, 53])
      assert.ok(egressPorts.includes(port), `${policy.metadata.name}: ${port}`);
  }
  assert.deepEqual(timerPolicy.spec.ingress, []);
  const ingress = httpPolicy.spec.ingress as Obj[];
  const sources = ingress.flatMap((rule) => (rule.from as Obj[]).map((f) => f.ipBlock?.cidr as string));
  assert.ok(
    sources.length > 0 && sources.every((cidr) => cidr && cidr !== '0.0.0.0/0'),
    'ingress from listed CIDRs only',
  );
  assert.deepEqual([...sources].sort(), [...(service.spec.loadBalancerSourceRanges as string[])].sort());
  assert.deepEqual(
    ingress.flatMap((rule) => (rule.ports as Obj[]).map((p) => p.port)),
    [IMAGE_PORT],
  );
});

/** Names given to app.timer(...) in functions/*.ts, lower-cased. */
function declaredTimers(): string[] {
  const dir = path.join(PROJECT_ROOT, 'functions');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/app\.timer\(\s*'([^']+)'/g)])
    .map((m) => m[1]!.toLowerCase());
}

test('timer functions run in the single-instance timer Deployment only', () => {
  const http = container(find('Deployment', 'butler-http'));
  const timerDeployment = find('Deployment', 'butler-timers');
  const timerEnv = envOf(container(timerDeployment));
  assert.equal(timerDeployment.spec.strategy?.type, 'Recreate', 'no overlap during rollouts');
  const listed = [...timerEnv.entries()]
    .filter(([name]) => /^AzureFunctionsJobHost__functions__\d+$/.test(name))
    .map(([, e]) => String(e.value).toLowerCase())
    .sort();
  // Every timer the code can register: some (alertsTimer) exist only when their feature is on.
  const registered = functions.filter((f) => f.timer).map((f) => f.name.toLowerCase());
  const timers = [...new Set([...registered, ...declaredTimers()])].sort();
  assert.deepEqual(listed, timers, 'deployment-timers.yaml lists exactly the registered timer functions');
  assert.equal(
    timerDeployment.spec.replicas,
    timers.length > 0 ? 1 : 0,
    'one timer instance (none without timers)',
  );
  const disabled = [...envOf(http).entries()]
    .filter(([name, e]) => /^AzureWebJobs\..+\.Disabled$/.test(name) && e.value === 'true')
    .map(([name]) => name.split('.')[1]!.toLowerCase())
    .sort();
  assert.deepEqual(disabled, timers, 'deployment-http.yaml disables exactly the timer functions');
});

test('the Dockerfile builds on the Functions Node 22 image and ships what package.json#main loads', async () => {
  const dockerfile = await readFile(path.join(PROJECT_ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const pkg = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    main: string;
    dependencies: Record<string, string>;
  };
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
  assert.equal(stages.at(-1), 'mcr.microsoft.com/azure-functions/node:4-node22');
  assert.match(dockerfile, /AzureWebJobsScriptRoot=\/home\/site\/wwwroot/);
  assert.match(dockerfile, /AzureWebJobsSecretStorageType=kubernetes/);
  const copies = [...dockerfile.matchAll(/^COPY --from=build (.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/));
  const shipped = new Map<string, string>();
  for (const parts of copies) {
    const dest = parts.at(-1)!;
    for (const src of parts.slice(0, -1)) shipped.set(path.posix.relative('/src', src), dest);
  }
  // main's directory (dist/functions) is inside a shipped folder at the same place under wwwroot.
  const mainDir = path.posix.dirname(pkg.main);
  const carrier = [...shipped.keys()].find((src) => mainDir === src || mainDir.startsWith(`${src}/`));
  assert.ok(carrier, `no COPY ships ${mainDir}`);
  assert.equal(shipped.get(carrier), `/home/site/wwwroot/${carrier}`);
  for (const file of [
    'host.json',
    'package.json',
    'butler.config.schema.json',
    'openapi.yaml',
    'node_modules',
  ]) {
    assert.ok(shipped.has(file), `the image lacks ${file}`);
  }
  // What .funcignore keeps out of a deployment is removed from dist before the copy.
  const funcignore = (await readFile(path.join(PROJECT_ROOT, '.funcignore'), 'utf8')).split('\n');
  for (const entry of funcignore.filter((line) => line.startsWith('dist/'))) {
    assert.match(dockerfile, new RegExp(`rm -rf[^\\n]*\\b${entry.replace('/', '\\/')}\\b`), entry);
  }
  assert.ok(
    pkg.dependencies['swagger-ui-dist'],
    'the API page needs swagger-ui-dist after npm prune --omit=dev',
  );
});
