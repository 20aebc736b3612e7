// Create or edit a connector: a form generated from Connect's `PUT /connector-plugins/<class>/config/validate`
// (groups in Connect's order, each key with its display name, documentation, default, required mark and the
// validation's errors inline), and a JSON editor over the same values. Masked secrets of an edited connector stay
// masked: the server keeps the stored value for any field still equal to the mask.
import { useEffect, useState } from 'preact/hooks'
import type { ConnectorView } from '../../server/connect.ts'
import { api, usePoll } from '../api.ts'
import { Link, Problem } from '../components.tsx'
import { navigate } from '../router.ts'

interface ConfigEntry {
  definition: {
    name: string
    type: string
    required: boolean
    default_value: string | null
    importance: string
    documentation: string
    group: string | null
    order: number
    display_name: string
  }
  value: { name: string; value: string | null; recommended_values: string[]; errors: string[]; visible: boolean }
}

interface Validation {
  error_count: number
  groups: string[]
  configs: ConfigEntry[]
}

interface Plugin {
  class: string
  type: string
  version?: string
}

const path = (connect: string) => `/api/connect/${encodeURIComponent(connect)}`

function Field(props: { entry: ConfigEntry; value: string; onChange: (value: string) => void }) {
  const d = props.entry.definition
  const errors = props.entry.value.errors
  const id = `field-${d.name}`
  const recommended = props.entry.value.recommended_values
  return (
    <div class={`field${errors.length ? ' invalid' : ''}`} data-field={d.name}>
      <label for={id}>
        {d.display_name}
        {d.required ? <span title="required"> *</span> : null} <code class="muted">{d.name}</code>
      </label>
      {recommended.length > 0 && !recommended.includes('') ? (
        <select id={id} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
          <option value="">{d.default_value !== null ? `default (${d.default_value})` : '—'}</option>
          {recommended.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      ) : d.type === 'PASSWORD' ? (
        <input
          type="password"
          id={id}
          value={props.value}
          placeholder={d.default_value ?? ''}
          aria-invalid={errors.length > 0 ? 'true' : undefined}
          aria-describedby={`${id}-doc`}
          autoComplete="off"
          onInput={(e) => props.onChange((e.target as HTMLInputElement).value)}
        />
      ) : (
        <input
          type="text"
          id={id}
          value={props.value}
          placeholder={d.default_value ?? ''}
          aria-invalid={errors.length > 0 ? 'true' : undefined}
          aria-describedby={`${id}-doc`}
          autoComplete="off"
          onInput={(e) => props.onChange((e.target as HTMLInputElement).value)}
        />
      )}
      {errors.map((e) => (
        <div class="field-error" key={e} role="alert">
          {e}
        </div>
      ))}
      <div class="doc" id={`${id}-doc`}>
        {d.documentation}
      </div>
    </div>
  )
}

export function ConnectorFormPage(props: { connect: string; name?: string }) {
  const editing = props.name !== undefined
  const plugins = usePoll<Plugin[]>(editing ? null : `${path(props.connect)}/plugins`)
  const existing = usePoll<{ connectors: ConnectorView[] }>(editing ? `${path(props.connect)}/connectors` : null)
  const [name, setName] = useState(props.name ?? '')
  const [values, setValues] = useState<Record<string, string>>({})
  const [loaded, setLoaded] = useState(false)
  const [validation, setValidation] = useState<Validation | null>(null)
  const [mode, setMode] = useState<'form' | 'json'>('form')
  const [json, setJson] = useState('')
  const [message, setMessage] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const className = values['connector.class'] ?? ''

  // An edited connector's (masked) config is loaded once, not on every refresh: the user's edits stay.
  useEffect(() => {
    if (!editing || loaded || !existing.data) return
    const c = existing.data.connectors.find((x) => x.name === props.name)
    if (!c) return
    const { name: _name, ...config } = c.config
    setValues(config)
    setLoaded(true)
  }, [existing.data])

  const validate = async (config: Record<string, string>) => {
    if (!config['connector.class']) return
    setBusy(true)
    try {
      const body = { ...config, ...(name ? { name } : {}) }
      setValidation(
        await api.put<Validation>(
          `${path(props.connect)}/plugins/${encodeURIComponent(config['connector.class'])}/validate`,
          body,
        ),
      )
      setMessage(undefined)
    } catch (e) {
      setMessage((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  // The form's fields come from the plugin's definition: validate as soon as the class is known.
  useEffect(() => {
    if (className) void validate(values)
  }, [className])

  const set = (key: string, value: string) =>
    setValues((v) => {
      const next = { ...v }
      if (value === '') delete next[key]
      else next[key] = value
      return next
    })

  const save = async () => {
    if (!name.trim()) return setMessage('Give the connector a name.')
    setBusy(true)
    try {
      await api.put(`${path(props.connect)}/connectors/${encodeURIComponent(name.trim())}/config`, values)
      navigate(`/connect/${encodeURIComponent(props.connect)}/${encodeURIComponent(name.trim())}`)
    } catch (e) {
      setMessage((e as Error).message)
      await validate(values)
    } finally {
      setBusy(false)
    }
  }

  const groups = validation
    ? [...new Set([...validation.groups, ...validation.configs.map((c) => c.definition.group ?? 'Other')])]
    : []
  const shown = (validation?.configs ?? []).filter((c) => c.value.visible && c.definition.name !== 'name')
  return (
    <>
      <p>
        <Link href="/connect">Connect</Link> › {props.connect}
        {editing ? (
          <>
            {' '}
            ›{' '}
            <Link href={`/connect/${encodeURIComponent(props.connect)}/${encodeURIComponent(props.name!)}`}>
              {props.name}
            </Link>
          </>
        ) : null}
      </p>
      <h1>{editing ? `Edit ${props.name}` : 'Add a connector'}</h1>
      <Problem title={`Connect ${props.connect}`} message={plugins.error ?? existing.error} />
      <section class="panel">
        <div class="toolbar">
          <label>
            Name{' '}
            <input value={name} disabled={editing} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </label>
          {!editing ? (
            <label>
              Plugin{' '}
              <select value={className} onChange={(e) => set('connector.class', (e.target as HTMLSelectElement).value)}>
                <option value="">choose a plugin…</option>
                {(plugins.data ?? []).map((p) => (
                  <option key={p.class} value={p.class}>
                    {p.class} ({p.type})
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span class="muted">{className}</span>
          )}
          <button type="button" aria-pressed={mode === 'form'} onClick={() => setMode('form')}>
            Form
          </button>
          <button
            type="button"
            aria-pressed={mode === 'json'}
            onClick={() => {
              setJson(JSON.stringify(values, null, 2))
              setMode('json')
            }}
          >
            JSON
          </button>
        </div>
        <Problem message={message} />
        {validation ? (
          <p class={validation.error_count ? 'field-error' : 'muted'} role="status">
            {validation.error_count
              ? `${validation.error_count} configuration error(s): see the fields marked below.`
              : 'Connect finds no error in this configuration.'}
          </p>
        ) : null}
        {mode === 'json' ? (
          <div class="field">
            <label for="config-json">Config as JSON (string values)</label>
            <textarea
              id="config-json"
              rows={18}
              value={json}
              onInput={(e) => setJson((e.target as HTMLTextAreaElement).value)}
            />
            <button
              type="button"
              onClick={() => {
                try {
                  const parsed = JSON.parse(json) as unknown
                  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
                    throw new Error('expected a JSON object')
                  const next: Record<string, string> = {}
                  for (const [k, v] of Object.entries(parsed)) {
                    if (typeof v !== 'string') throw new Error(`"${k}": values must be strings`)
                    next[k] = v
                  }
                  setValues(next)
                  setMessage(undefined)
                  setMode('form')
                  void validate(next)
                } catch (e) {
                  setMessage(`JSON: ${(e as Error).message}`)
                }
              }}
            >
              Apply JSON
            </button>
          </div>
        ) : (
          groups.map((g) => {
            const entries = shown
              .filter((c) => (c.definition.group ?? 'Other') === g)
              .sort((a, b) => a.definition.order - b.definition.order)
            if (entries.length === 0) return null
            return (
              <fieldset key={g}>
                <legend>{g}</legend>
                {entries.map((entry) => (
                  <Field
                    key={entry.definition.name}
                    entry={entry}
                    value={values[entry.definition.name] ?? ''}
                    onChange={(v) => set(entry.definition.name, v)}
                  />
                ))}
              </fieldset>
            )
          })
        )}
        <div class="actions">
          <button type="button" disabled={busy || !className} onClick={() => void validate(values)}>
            Validate
          </button>
          <button type="button" disabled={busy || !className} onClick={() => void save()}>
            {editing ? 'Save' : 'Create'}
          </button>
        </div>
      </section>
    </>
  )
}
