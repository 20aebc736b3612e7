// Progress lines for long local-stack steps (jar download, initdb, broker start): "… doing" then "✓ done (1.2 s)".
export interface Progress {
  /** Starts a step; call the returned function when it is done (with an optional detail). */
  step(label: string): (detail?: string) => void
  info(line: string): void
}

export function consoleProgress(out: NodeJS.WritableStream = process.stderr): Progress {
  return {
    step(label) {
      const started = Date.now()
      out.write(`… ${label}\n`)
      return (detail) => {
        const seconds = ((Date.now() - started) / 1000).toFixed(1)
        out.write(`✓ ${label}${detail ? `: ${detail}` : ''} (${seconds} s)\n`)
      }
    },
    info(line) {
      out.write(`  ${line}\n`)
    },
  }
}

export const silentProgress: Progress = {
  step: () => () => {},
  info: () => {},
}
