// History routing: every page has a real URL (/connect/<cluster>/<connector>, /topics?search=…), links push onto
// the history, the back button and deep links work (the server serves the UI for every page path).
import { useEffect, useState } from 'preact/hooks'

export interface Location {
  path: string
  query: URLSearchParams
}

const read = (): Location => ({ path: window.location.pathname, query: new URLSearchParams(window.location.search) })
const listeners = new Set<() => void>()

export function navigate(to: string, replace = false): void {
  if (to === window.location.pathname + window.location.search) return
  if (replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  for (const l of listeners) l()
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l()
})

export function useLocation(): Location {
  const [location, setLocation] = useState(read)
  useEffect(() => {
    const update = () => setLocation(read())
    listeners.add(update)
    return () => void listeners.delete(update)
  }, [])
  return location
}

/** Click handler of an in-app link: plain clicks route here, modified clicks (new tab…) are left to the browser. */
export function linkClick(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  event.preventDefault()
  navigate(anchor.getAttribute('href') ?? '/')
}
