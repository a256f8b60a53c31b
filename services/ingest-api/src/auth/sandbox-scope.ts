/**
 * Whether an admin holding `holder` sandboxes may manage a key or credential for `wanted`: `*`
 * covers everything; otherwise every wanted sandbox must be held, and `*` itself never is.
 */
export function coversSandboxes(holder: readonly string[], wanted: readonly string[]): boolean {
  return holder.includes('*') || wanted.every((sandbox) => sandbox !== '*' && holder.includes(sandbox));
}
