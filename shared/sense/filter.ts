/**
 * QRS filter text (docs/sense-facts.md §9). Only builds the decoded filter; percent-encoding of the whole value
 * happens when the query string is built (query.ts), so `&`, `#`, `%` and `'` survive the trip.
 */

/** A QRS string literal: single quotes, inner quotes doubled (`R&D's` → `'R&D''s'`). */
export function qrsString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export { isGuid } from '../guid';

/** `id eq a or id eq b`; GUIDs are bare literals in QRS filters. Callers pass only valid GUIDs. */
export function idFilter(ids: readonly string[]): string {
  return ids.map((id) => `id eq ${id}`).join(' or ');
}

/** `tags.name eq 'a' or tags.name eq 'b'`. */
export function tagFilter(tags: readonly string[]): string {
  return tags.map((tag) => `tags.name eq ${qrsString(tag)}`).join(' or ');
}

/** `(customProperties.definition.name eq 'n' and customProperties.value eq 'v') or (…)`. */
export function customPropertyFilter(pairs: readonly { name: string; value: string }[]): string {
  return pairs
    .map(
      ({ name, value }) =>
        `(customProperties.definition.name eq ${qrsString(name)} and customProperties.value eq ${qrsString(value)})`,
    )
    .join(' or ');
}
