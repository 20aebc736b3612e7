// The flowscope console in the browser: a header with the pages, and the page the URL names.
import { render } from 'preact'
import { Link } from './components.tsx'
import { AlertsBadge, AlertsPage } from './pages/alerts.tsx'
import { BrokerPage, BrokersPage } from './pages/brokers.tsx'
import { ConnectorPage, ConnectPage } from './pages/connect.tsx'
import { ConnectorFormPage } from './pages/connector-form.tsx'
import { ConsumersPage } from './pages/consumers.tsx'
import { GroupPage } from './pages/group.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { PipelinePage } from './pages/pipeline.tsx'
import { NewTopicPage, TopicPage } from './pages/topic.tsx'
import { TopicsPage } from './pages/topics.tsx'
import { type Location, useLocation } from './router.ts'

const PAGES = [
  { href: '/', title: 'Pipeline' },
  { href: '/overview', title: 'Overview' },
  { href: '/connect', title: 'Connect' },
  { href: '/brokers', title: 'Brokers' },
  { href: '/topics', title: 'Topics' },
  { href: '/consumers', title: 'Consumers' },
] as const

function page(location: Location) {
  const parts = location.path.split('/').filter(Boolean).map(decodeURIComponent)
  switch (parts[0]) {
    case undefined:
      return <PipelinePage />
    case 'overview':
      return <OverviewPage />
    case 'connect':
      if (parts.length === 3 && parts[2] === 'new') return <ConnectorFormPage connect={parts[1]} />
      if (parts.length === 3) return <ConnectorPage connect={parts[1]} name={parts[2]} />
      if (parts.length === 4 && parts[3] === 'edit') return <ConnectorFormPage connect={parts[1]} name={parts[2]} />
      return <ConnectPage />
    case 'topics':
      if (parts.length === 2 && parts[1] === 'new') return <NewTopicPage cluster={location.query.get('cluster')} />
      if (parts.length === 2) return <TopicPage name={parts[1]} cluster={location.query.get('cluster')} />
      return <TopicsPage location={location} />
    case 'brokers':
      return parts.length === 2 ? <BrokerPage id={parts[1]} /> : <BrokersPage />
    case 'consumers':
      if (parts.length === 3) return <GroupPage cluster={parts[1]} group={parts[2]} />
      return <ConsumersPage location={location} />
    case 'alerts':
      return <AlertsPage />
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            No page at <code>{location.path}</code>. <Link href="/">Go to the pipeline</Link>.
          </p>
        </>
      )
  }
}

function App() {
  const location = useLocation()
  const section = `/${location.path.split('/')[1] ?? ''}`
  return (
    <>
      <header class="top">
        <Link href="/" class="brand">
          flowscope
        </Link>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <Link key={p.href} href={p.href} current={section === p.href}>
              {p.title}
            </Link>
          ))}
        </nav>
        <span class="live">
          <AlertsBadge /> live · refreshes every 3 s
        </span>
      </header>
      <main>{page(location)}</main>
    </>
  )
}

const root = document.getElementById('app')!
root.textContent = '' // the "Loading…" placeholder of index.html
render(<App />, root)
