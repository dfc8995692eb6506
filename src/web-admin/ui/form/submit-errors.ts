import { ApiError, errorText } from '../errors';
import { mapProblems, type MappedProblems } from './model';

/** A failed create/save → messages under fields (details.problems) and form-level messages (the rest). */
export function errorsFrom(e: unknown, fieldNames: readonly string[]): MappedProblems {
  if (e instanceof ApiError && e.problems.length > 0) {
    const m = mapProblems(e.problems, fieldNames);
    if (m.form.length === 0) m.form.push('Not saved: check the fields marked below.');
    return m;
  }
  return { fields: {}, form: [errorText(e) + (e instanceof ApiError && e.code ? ` (${e.code})` : '')] };
}
