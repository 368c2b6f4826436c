/**
 * `ask` with its answers kept for the command's lifetime, by `keyOf` (same key, one request; a failure is kept
 * too). A command asks a server the same question from several places; the answer can't change meanwhile in a
 * way the command should see halfway.
 */
export function remembering<A, R>(
  keyOf: (arg: A) => unknown[],
  ask: (arg: A) => Promise<R>,
): (arg: A) => Promise<R> {
  const answers = new Map<string, Promise<R>>();
  return (arg) => {
    const key = JSON.stringify(keyOf(arg));
    const known = answers.get(key) ?? ask(arg);
    answers.set(key, known);
    return known;
  };
}
