// The offsets view's editor: what the user typed for one source partition, checked before it is sent to Connect.

/**
 * What an offset editor holds, as Connect takes it: a JSON object, or `null` (removes the partition's offset);
 * otherwise the reason it is not. Pure.
 */
export function parseOffsetDraft(
  text: string,
): { ok: true; offset: Record<string, unknown> | null } | { ok: false; error: string } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` }
  }
  if (value === null) return { ok: true, offset: null }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'an offset must be a JSON object (or null to remove it)' }
  }
  return { ok: true, offset: value as Record<string, unknown> }
}
