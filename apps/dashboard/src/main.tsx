import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { get, logout, onTokenChange, refresh } from './api.js';
import { live } from './live.js';
import { match, navigate, usePath } from './router.js';
import { MeContext } from './session.js';
import { Admin } from './screens/Admin.js';
import { CohortList } from './screens/CohortList.js';
import { CohortPage } from './screens/CohortPage.js';
import { Login } from './screens/Login.js';
import { MyEnvironment } from './screens/MyEnvironment.js';
import { MyPlan } from './screens/MyPlan.js';
import { MyTask } from './screens/MyTask.js';
import { QuestionsInbox } from './screens/QuestionsInbox.js';
import { StudentPage } from './screens/StudentPage.js';
import { SubmissionPage } from './screens/SubmissionPage.js';
import './styles.css';
import type { Me } from './types.js';

type Session = { state: 'checking' } | { state: 'anonymous' } | { state: 'signed-in'; me: Me };

function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const path = usePath();

  const loadMe = useCallback(async () => {
    try {
      setSession({ state: 'signed-in', me: await get<Me>('/me') });
    } catch {
      setSession({ state: 'anonymous' });
    }
  }, []);

  useEffect(() => {
    // A page load restores the session from the httpOnly refresh cookie.
    void refresh().then((token) => (token ? loadMe() : setSession({ state: 'anonymous' })));
    return onTokenChange((token) => {
      if (token === null) {
        live.close();
        setSession({ state: 'anonymous' });
      }
    });
  }, [loadMe]);

  if (session.state === 'checking') return <p className="muted center">Loading…</p>;
  if (session.state === 'anonymous') return <Login onLoggedIn={() => void loadMe()} />;
  const { me } = session;
  const staff = me.role !== 'student';
  const home = staff ? '/cohorts' : '/me';

  let screen;
  let params: Record<string, string> | null;
  if ((params = match('/cohorts/:id/students/:userId', path)) && staff)
    screen = <StudentPage cohortId={params.id!} userId={params.userId!} />;
  else if ((params = match('/cohorts/:id/questions', path)) && staff)
    screen = <CohortPage cohortId={params.id!} tab="questions" />;
  else if ((params = match('/cohorts/:id/environments', path)) && staff)
    screen = <CohortPage cohortId={params.id!} tab="environments" />;
  else if ((params = match('/cohorts/:id/roster', path)) && staff)
    screen = <CohortPage cohortId={params.id!} tab="roster" />;
  else if ((params = match('/cohorts/:id', path)) && staff)
    screen = <CohortPage cohortId={params.id!} tab="progress" />;
  else if (match('/cohorts', path) && staff) screen = <CohortList />;
  else if (match('/admin/audit', path) && me.role === 'admin') screen = <Admin tab="audit" />;
  else if (match('/admin/clusters', path) && me.role === 'admin') screen = <Admin tab="clusters" />;
  else if (match('/admin', path) && me.role === 'admin') screen = <Admin tab="accounts" />;
  else if ((params = match('/submissions/:id', path)))
    screen = <SubmissionPage id={params.id!} staff={staff} />;
  else if ((params = match('/me/tasks/:taskId', path))) screen = <MyTask me={me} taskId={params.taskId!} />;
  else if (match('/me/environment', path) && !staff) screen = <MyEnvironment me={me} />;
  else if (match('/me/questions', path) && me.enrollment)
    screen = (
      <div className="page">
        <h1>Questions</h1>
        <QuestionsInbox cohortId={me.enrollment.cohortId} version={0} staff={false} />
      </div>
    );
  else if (match('/me', path) && !staff) screen = <MyPlan me={me} />;
  else {
    navigate(home);
    screen = null;
  }

  const links = staff
    ? [
        { href: '/cohorts', label: 'Cohorts' },
        ...(me.role === 'admin' ? [{ href: '/admin', label: 'Admin' }] : []),
      ]
    : [
        { href: '/me', label: 'My plan' },
        { href: '/me/environment', label: 'My environment' },
        { href: '/me/questions', label: 'Questions' },
      ];

  // The most specific link the path is under (`/me/environment` is not also "My plan").
  const currentLink = links
    .filter((link) => path === link.href || path.startsWith(`${link.href}/`))
    .sort((a, b) => b.href.length - a.href.length)[0]?.href;

  return (
    <MeContext.Provider value={me}>
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header className="topbar">
        <a href={`#${home}`} className="brand">
          <span className="logo" aria-hidden="true">
            ⎈
          </span>{' '}
          kubecohort
        </a>
        <nav aria-label="Main">
          {links.map((link) => (
            <a
              key={link.href}
              href={`#${link.href}`}
              aria-current={link.href === currentLink ? 'page' : undefined}
            >
              {link.label}
            </a>
          ))}
        </nav>
        <span className="whoami">
          {me.displayName} <span className="muted">({me.role})</span>
        </span>
        <button type="button" className="secondary" onClick={() => void logout()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {screen}
      </main>
    </MeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
