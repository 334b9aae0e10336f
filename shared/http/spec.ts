/**
 * One spec per operation (docs/adding-an-endpoint.md): its enable flag, the TypeBox schemas of its path
 * parameters, query, body and replies, and the handler. The handler's input and reply types are derived
 * from those schemas, the dispatcher validates against the same schemas, and `openapi.yaml` is generated
 * from them, so nothing is described twice.
 */
import type { HttpRequest, InvocationContext } from '@azure/functions';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { EndpointName } from '../config/types';
import type { Services } from '../services';
import type { ErrorCode } from './errors';

/** A path parameter that must be a literal for an operation to serve (see `OperationSpec.segment`). */
export interface Segment {
  param: string;
  literal: string;
}

/** A success reply: what it means and, when it has a body, the body's schema. */
export interface ReplySpec {
  description: string;
  schema?: TSchema;
  /** Response headers worth documenting (name → description). */
  headers?: Record<string, string>;
}

export type Replies = Record<number, ReplySpec>;

/** `reply('…', Schema)`: a reply with a JSON body; `reply('…')`: one without (e.g. 204). */
export function reply<S extends TSchema>(
  description: string,
  schema: S,
  headers?: Record<string, string>,
): { description: string; schema: S; headers?: Record<string, string> };
export function reply(description: string): { description: string };
export function reply(description: string, schema?: TSchema, headers?: Record<string, string>): ReplySpec {
  return { description, ...(schema ? { schema } : {}), ...(headers ? { headers } : {}) };
}

/** The replies a handler may return, one variant per documented status. */
// `Readonly`: the `const` type parameter of `method` makes returned array literals readonly tuples.
export type ReplyOf<R extends Replies> = {
  [S in keyof R]: R[S] extends { schema: infer B extends TSchema }
    ? { status: S & number; body: Static<B> | Readonly<Static<B>>; headers?: Record<string, string> }
    : { status: S & number; body?: undefined; headers?: Record<string, string> };
}[keyof R];

export interface HandlerInput<P, Q, B> {
  req: HttpRequest;
  ctx: InvocationContext;
  params: P;
  query: Q;
  body: B;
  services: Services;
}

/** No parameters / no query: the empty object schema. */
export type TEmpty = TObject<Record<never, never>>;

export interface OperationSpec<P extends TObject, Q extends TObject, B extends TSchema, R extends Replies> {
  /** operationId in the OpenAPI document; unique. */
  id: string;
  summary: string;
  description?: string;
  /** The `api.endpoints` flag that switches this operation off. */
  enabledBy: EndpointName;
  /**
   * Where a literal and a parameter share a path position (`schedules/{scheduleId}` serves `status`):
   * this operation serves only when the parameter is this literal (any case). The dispatcher answers
   * ROUTE_NOT_FOUND for other values, before anything is validated.
   */
  segment?: { param: Extract<keyof P['properties'], string>; literal: string };
  /** Every `{name}` of the route, validated before the query and body. */
  params?: P;
  query?: Q;
  body?: B;
  /** Used (and then validated) when the request has no body (absent or empty); the body is then optional. */
  bodyDefault?: () => unknown;
  replies: R;
  /** Failures this operation can answer, besides the validation and enable-flag ones every operation has. */
  errors?: readonly ErrorCode[];
  handle(
    input: HandlerInput<Static<P>, Static<Q>, Static<B>>,
  ): NoInfer<ReplyOf<R>> | Promise<NoInfer<ReplyOf<R>>>;
}

/** A reply as the dispatcher sees it. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An operation with its types erased, as the dispatcher and the document generator hold it. */
export interface Operation {
  readonly id: string;
  readonly summary: string;
  readonly description?: string;
  readonly enabledBy: EndpointName;
  readonly segment?: Segment;
  readonly params?: TObject;
  readonly query?: TObject;
  readonly body?: TSchema;
  readonly bodyDefault?: () => unknown;
  readonly replies: Replies;
  readonly errors: readonly ErrorCode[];
  /** Input already validated against the schemas above. */
  run(input: HandlerInput<unknown, unknown, unknown>): Promise<Reply>;
}

/** Declares one operation; its handler is typed from its schemas. */
// `const R` keeps each reply's status a literal, so `{ status: 200, body }` is checked against reply 200.
export function method<
  const R extends Replies,
  P extends TObject = TEmpty,
  Q extends TObject = TEmpty,
  B extends TSchema = TSchema,
>(spec: OperationSpec<P, Q, B, R>): Operation {
  return {
    id: spec.id,
    summary: spec.summary,
    description: spec.description,
    enabledBy: spec.enabledBy,
    segment: spec.segment,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    bodyDefault: spec.bodyDefault,
    replies: spec.replies,
    errors: spec.errors ?? [],
    // The dispatcher validated params, query and body against these very schemas.
    run: async (input) => spec.handle(input as HandlerInput<Static<P>, Static<Q>, Static<B>>),
  };
}
