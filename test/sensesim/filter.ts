/** The QRS filter engine: parse once, then test rows (docs/sense-facts.md §9, §11). */
import { evaluate } from './filter-eval';
import { FilterSyntaxError, parseFilter } from './filter-parse';

export { FilterSyntaxError, parseFilter, tokenize } from './filter-parse';
export type { FilterNode, Literal, Operator } from './filter-parse';
export { evaluate, resolvePath } from './filter-eval';

export type RowPredicate = (row: unknown) => boolean;

/** Compiles filter text; an empty or blank text matches every row. Throws FilterSyntaxError. */
export function compileFilter(text: string): RowPredicate {
  if (text.trim() === '') return () => true;
  const node = parseFilter(text);
  return (row) => evaluate(node, row);
}

export function isFilterSyntaxError(err: unknown): err is FilterSyntaxError {
  return err instanceof FilterSyntaxError;
}
