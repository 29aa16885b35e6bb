import { useState, type FormEvent } from 'react';
import { describeError, get, request } from '../api.js';
import { timeAgo } from '../components/status.js';
import { Badge, ErrorBox, Loading, Section } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { AuditLog } from './AuditLog.js';
import { HostClusters } from './HostClusters.js';
import type { CohortSummary, Page, ServiceToken, UserRow } from '../types.js';

const SCOPES = ['act-as-student', 'join-students', 'read-cohorts', 'write-events', 'grading', 'provisioning'];

type AdminTab = 'accounts' | 'clusters' | 'audit';

/** Admin: staff accounts, instructors of cohorts, service tokens; host clusters and the audit log on their own tabs. */
export function Admin({ tab }: { tab: AdminTab }) {
  const tabs: { id: AdminTab; label: string; href: string }[] = [
    { id: 'accounts', label: 'Accounts & tokens', href: '#/admin' },
    { id: 'clusters', label: 'Host clusters', href: '#/admin/clusters' },
    { id: 'audit', label: 'Audit log', href: '#/admin/audit' },
  ];
  return (
    <div className="page">
      <h1>Administration</h1>
      <nav className="tabs" aria-label="Administration sections">
        {tabs.map((item) => (
          <a
            key={item.id}
            href={item.href}
            className={tab === item.id ? 'tab active' : 'tab'}
            aria-current={tab === item.id ? 'page' : undefined}
          >
            {item.label}
          </a>
        ))}
      </nav>
      {tab === 'audit' && <AuditLog />}
      {tab === 'clusters' && <HostClusters />}
      {tab === 'accounts' && (
        <div className="grid-2">
          <Staff />
          <div className="stack">
            <CohortInstructors />
            <ServiceTokens />
          </div>
        </div>
      )}
    </div>
  );
}

function Staff() {
  const users = useLoad(async (signal) => {
    const [instructors, admins] = await Promise.all([
      get<Page<UserRow>>('/users?role=instructor&limit=100', signal),
      get<Page<UserRow>>('/users?role=admin&limit=100', signal),
    ]);
    return [...admins.items, ...instructors.items];
  }, 'users');
  const [form, setForm] = useState({ email: '', displayName: '', role: 'instructor', password: '' });
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    try {
      await request('POST', '/users', form);
      setForm({ email: '', displayName: '', role: 'instructor', password: '' });
      users.reload();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <Section title="Staff accounts" id="staff">
      <ErrorBox error={users.error} />
      {!users.data && !users.error && <Loading what="accounts" />}
      <ul className="student-list">
        {(users.data ?? []).map((user) => (
          <li key={user.id}>
            <strong>{user.displayName}</strong>{' '}
            <Badge tone={user.role === 'admin' ? 'review' : 'info'}>{user.role}</Badge>
            <span className="muted"> · {user.email}</span>
            {user.disabledAt && <Badge tone="bad">disabled</Badge>}
          </li>
        ))}
      </ul>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <h3>Add a staff account</h3>
        <label htmlFor="staff-name">Name</label>
        <input
          id="staff-name"
          value={form.displayName}
          onChange={(event) => setForm({ ...form, displayName: event.target.value })}
          required
        />
        <label htmlFor="staff-email">Email</label>
        <input
          id="staff-email"
          type="email"
          value={form.email}
          onChange={(event) => setForm({ ...form, email: event.target.value })}
          required
        />
        <label htmlFor="staff-role">Role</label>
        <select
          id="staff-role"
          value={form.role}
          onChange={(event) => setForm({ ...form, role: event.target.value })}
        >
          <option value="instructor">instructor</option>
          <option value="admin">admin</option>
        </select>
        <label htmlFor="staff-password">Initial password</label>
        <input
          id="staff-password"
          type="password"
          minLength={8}
          value={form.password}
          onChange={(event) => setForm({ ...form, password: event.target.value })}
          required
        />
        <ErrorBox error={error} />
        <button type="submit">Create account</button>
      </form>
    </Section>
  );
}

function CohortInstructors() {
  const data = useLoad(async (signal) => {
    const [cohorts, instructors] = await Promise.all([
      get<Page<CohortSummary>>('/cohorts?limit=100', signal),
      get<Page<UserRow>>('/users?role=instructor&limit=100', signal),
    ]);
    return { cohorts: cohorts.items, instructors: instructors.items };
  }, 'cohort-instructors');
  const [cohortId, setCohortId] = useState('');
  const [userId, setUserId] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const change = async (method: 'PUT' | 'DELETE'): Promise<void> => {
    setError(null);
    setMessage(null);
    const cohort = cohortId || data.data?.cohorts[0]?.id;
    const user = userId || data.data?.instructors[0]?.id;
    if (!cohort || !user) return;
    try {
      await request(method, `/cohorts/${cohort}/instructors/${user}`);
      setMessage(
        method === 'PUT' ? 'Instructor added to the cohort.' : 'Instructor removed from the cohort.',
      );
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <Section title="Instructors of cohorts" id="cohort-instructors">
      <ErrorBox error={data.error} />
      <div className="form">
        <label htmlFor="ci-cohort">Cohort</label>
        <select id="ci-cohort" value={cohortId} onChange={(event) => setCohortId(event.target.value)}>
          {(data.data?.cohorts ?? []).map((cohort) => (
            <option key={cohort.id} value={cohort.id}>
              {cohort.name}
            </option>
          ))}
        </select>
        <label htmlFor="ci-user">Instructor</label>
        <select id="ci-user" value={userId} onChange={(event) => setUserId(event.target.value)}>
          {(data.data?.instructors ?? []).map((user) => (
            <option key={user.id} value={user.id}>
              {user.displayName}
            </option>
          ))}
        </select>
        <div className="row">
          <button type="button" onClick={() => void change('PUT')}>
            Add
          </button>
          <button type="button" className="secondary" onClick={() => void change('DELETE')}>
            Remove
          </button>
        </div>
        <ErrorBox error={error} />
        {message && <p role="status">{message}</p>}
      </div>
    </Section>
  );
}

function ServiceTokens() {
  const tokens = useLoad(
    (signal) => get<Page<ServiceToken>>('/service-tokens?limit=100', signal).then((page) => page.items),
    'tokens',
  );
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    try {
      const result = await request<{ token: string }>('POST', '/service-tokens', { name, scopes });
      setCreated(result.token);
      setName('');
      setScopes([]);
      tokens.reload();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  const revoke = async (id: string): Promise<void> => {
    try {
      await request('DELETE', `/service-tokens/${id}`);
      tokens.reload();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <Section title="Service tokens" id="tokens">
      <ul className="student-list">
        {(tokens.data ?? []).map((token) => (
          <li key={token.id}>
            <strong>{token.name}</strong>{' '}
            <span className="muted">
              {token.scopes.join(', ')} · used {timeAgo(token.lastUsedAt)}
            </span>{' '}
            {token.revokedAt ? (
              <Badge tone="neutral">revoked</Badge>
            ) : (
              <button type="button" className="link" onClick={() => void revoke(token.id)}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <label htmlFor="token-name">Name</label>
        <input id="token-name" value={name} onChange={(event) => setName(event.target.value)} required />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="checkbox">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(event) =>
                  setScopes(
                    event.target.checked ? [...scopes, scope] : scopes.filter((value) => value !== scope),
                  )
                }
              />{' '}
              {scope}
            </label>
          ))}
        </fieldset>
        <ErrorBox error={error} />
        <button type="submit">Create token</button>
        {created && (
          <p className="context" role="status">
            Copy it now, it is shown once: <code>{created}</code>
          </p>
        )}
      </form>
    </Section>
  );
}
