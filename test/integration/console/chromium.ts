// The browser every console browser test drives: Debian's Chromium (FLOWSCOPE_CHROMIUM overrides the path) through
// playwright-core, which downloads no browser of its own.
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM = process.env.FLOWSCOPE_CHROMIUM ?? '/usr/bin/chromium'

/** Headless Chromium, or a message saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set FLOWSCOPE_CHROMIUM)`)
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
}
