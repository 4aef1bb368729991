/** A computation that either gives a value or a typed error: no exceptions, no NaNs standing in for failure. */
export type Outcome<A, E> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly error: E }

export const succeed = <A>(value: A): Outcome<A, never> => ({ ok: true, value })
export const fail = <E>(error: E): Outcome<never, E> => ({ ok: false, error })
