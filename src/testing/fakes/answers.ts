/** Answers given to a fake connection: one value for every call, one per call in order, or a function of the call. */
export type Answers<Req, A> = A | readonly A[] | ((request: Req, index: number) => A | Promise<A>);

/** The answer to call number `index` (0-based); a list that runs out is a clear error naming the connection. */
export async function answerFor<Req, A>(
  answers: Answers<Req, A> | undefined,
  fallback: A,
  request: Req,
  index: number,
  what: string,
): Promise<A> {
  if (answers === undefined) return fallback;
  if (typeof answers === 'function') return (answers as (r: Req, i: number) => A | Promise<A>)(request, index);
  if (Array.isArray(answers)) {
    if (index >= answers.length)
      throw new Error(`${what} was called ${index + 1} times but the test gave it ${answers.length} answer(s)`);
    return answers[index] as A;
  }
  return answers as A;
}
