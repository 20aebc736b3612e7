// Small shared pieces. Everything shown is rendered as text by Preact: names, configs and traces from Kafka or
// Connect never become markup.
import type { ComponentChildren } from 'preact'
import { linkClick } from './router.ts'

export function Link(props: { href: string; children: ComponentChildren; current?: boolean; class?: string }) {
  return (
    <a href={props.href} onClick={linkClick} class={props.class} aria-current={props.current ? 'page' : undefined}>
      {props.children}
    </a>
  )
}

const HEALTH_OF: Record<string, string> = {
  RUNNING: 'ok',
  OK: 'ok',
  FAILED: 'error',
  ERR: 'error',
  STOP: 'error',
  STALL: 'error',
  REWIND: 'error',
  DEGRADED: 'error',
  PAUSED: 'warn',
  STOPPED: 'warn',
  WARN: 'warn',
  UNASSIGNED: 'warn',
  RESTARTING: 'warn',
}

export function StateBadge(props: { state: string | null }) {
  const state = props.state ?? 'UNKNOWN'
  return <span class={`badge ${HEALTH_OF[state] ?? ''}`}>{state}</span>
}

export function Problem(props: { title?: string; message: string | undefined }) {
  if (!props.message) return null
  return (
    <div class="problem" role="alert">
      {props.title ? <strong>{props.title}: </strong> : null}
      {props.message}
    </div>
  )
}

export function Stat(props: { value: ComponentChildren; label: string }) {
  return (
    <div class="stat">
      <div class="value">{props.value}</div>
      <div class="label">{props.label}</div>
    </div>
  )
}

export const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en'))
