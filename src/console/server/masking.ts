// Secrets never reach the browser. A connector config value is masked when Connect's own validation says its type is
// PASSWORD, or — when that is not known (validation failed, or the plugin is not installed on that worker) — when
// its key looks like a secret. Credentials inside URLs (`scheme://user:secret@host`) are masked in any value.

export const MASK = '********'

const SECRET_KEY =
  /pass(word|wd)?|secret|token|credential|api[._-]?key|private[._-]?key|sasl\.jaas|keystore\.key|\.key$/i

export function looksSecret(key: string): boolean {
  return SECRET_KEY.test(key)
}

const URL_CREDENTIALS = /(\/\/[^/:@\s]+:)[^@/\s]+@/g

export function maskUrlCredentials(value: string): string {
  return value.replace(URL_CREDENTIALS, `$1${MASK}@`)
}

/**
 * A copy of `config` safe to show. `passwordKeys` are the keys Connect's validation typed PASSWORD (undefined when
 * unknown: then the key-name rule applies to every key).
 */
export function maskConfig(config: Record<string, string>, passwordKeys?: ReadonlySet<string>): Record<string, string> {
  const masked: Record<string, string> = {}
  for (const [key, value] of Object.entries(config)) {
    const secret = passwordKeys?.has(key) || looksSecret(key)
    masked[key] = secret ? (value === '' ? '' : MASK) : typeof value === 'string' ? maskUrlCredentials(value) : value
  }
  return masked
}

/** Keys Connect's `/config/validate` answer types as PASSWORD. */
export function passwordKeysOf(validation: unknown): Set<string> {
  const keys = new Set<string>()
  const configs = (validation as { configs?: unknown })?.configs
  if (!Array.isArray(configs)) return keys
  for (const entry of configs) {
    const definition = (entry as { definition?: { name?: unknown; type?: unknown } })?.definition
    if (typeof definition?.name === 'string' && definition.type === 'PASSWORD') keys.add(definition.name)
  }
  return keys
}
