/** The shape of `api.endpoints` (flags and groups of flags), read from the shipped config schema. */
import { configSchema } from '../../shared/config/validate';
import type { SchemaNode } from '../../shared/config/schema-walk';

export interface EndpointTree {
  [name: string]: true | EndpointTree;
}

function walk(node: SchemaNode): EndpointTree {
  const out: EndpointTree = {};
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    out[name] = child.type === 'boolean' ? true : walk(child);
  }
  return out;
}

export function endpointTree(): EndpointTree {
  const api = configSchema().properties?.api;
  const endpoints = api?.properties?.endpoints;
  if (!endpoints) throw new Error('the config schema has no api.endpoints');
  return walk(endpoints);
}
