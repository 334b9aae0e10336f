/**
 * Every operation registered in this process, kept so that `openapi.yaml` can be generated from the
 * specs (tools/openapi). Functions outside the spec mechanism (the API page, the alerts callback) add
 * their path item here by hand so the document still lists them.
 */
import type { ApiMethod } from './method-override';
import type { Operation } from './spec';

export interface RegisteredRoute {
  route: string;
  /** Several operations on one verb share a path position with literals (`Operation.segment`). */
  methods: Partial<Record<ApiMethod, Operation | readonly Operation[]>>;
}

export interface DocumentedRoute {
  route: string;
  /** An OpenAPI path item, written by hand. */
  item: Record<string, unknown>;
}

const routes: RegisteredRoute[] = [];
const documented: DocumentedRoute[] = [];

export function recordRoute(route: RegisteredRoute): void {
  routes.push(route);
}

/** For a function that does not go through `registerEndpoint`: its path as the document shows it. */
export function documentRoute(route: string, item: Record<string, unknown>): void {
  documented.push({ route, item });
}

export function registeredRoutes(): readonly RegisteredRoute[] {
  return routes;
}

export function documentedRoutes(): readonly DocumentedRoute[] {
  return documented;
}
