import { useState, type ChangeEvent, type FormEvent } from 'react';
import { describeError, get, request } from '../api.js';
import { ErrorBox, Loading, Section } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import type { Page, RosterImportResult, StudentRow } from '../types.js';

/** Roster import (CSV file or pasted text, per-line errors) and grade export. */
export function RosterPanel({
  cohortId,
  onExport,
  exportError,
}: {
  cohortId: string;
  onExport: () => void;
  exportError: string | null;
}) {
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [result, setResult] = useState<RosterImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const students = useLoad(
    (signal) =>
      get<Page<StudentRow>>(`/cohorts/${cohortId}/students?limit=100`, signal).then((page) => page.items),
    `${cohortId}:${version}`,
  );

  const pick = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const file = event.target.files?.[0];
    if (!file) return;
    setFileName(file.name);
    setCsv(await file.text());
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(
        await request<RosterImportResult>('POST', `/cohorts/${cohortId}/roster`, undefined, {
          raw: csv,
          contentType: 'text/csv',
        }),
      );
      setVersion((value) => value + 1);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="grid-2">
      <Section title="Import roster" id="roster">
        <form onSubmit={(event) => void submit(event)} className="form">
          <p className="muted">
            CSV with a header line <code>name,email,discord</code>. Existing students are updated, new ones
            are invited.
          </p>
          <label htmlFor="roster-file">CSV file</label>
          <input id="roster-file" type="file" accept=".csv,text/csv" onChange={(event) => void pick(event)} />
          <label htmlFor="roster-text">…or paste it{fileName ? ` (loaded ${fileName})` : ''}</label>
          <textarea
            id="roster-text"
            rows={8}
            value={csv}
            onChange={(event) => setCsv(event.target.value)}
            spellCheck={false}
            className="mono"
          />
          <button type="submit" disabled={busy || csv.trim() === ''}>
            {busy ? 'Importing…' : 'Import'}
          </button>
        </form>
        <ErrorBox error={error} />
        {result && (
          <div className="import-result" role="status">
            <p>
              <strong>{result.created}</strong> created · <strong>{result.updated}</strong> updated ·{' '}
              <strong>{result.unchanged}</strong> unchanged ·{' '}
              <strong className={result.errors.length > 0 ? 'bad' : ''}>{result.errors.length}</strong>{' '}
              line(s) with errors
            </p>
            {result.errors.length > 0 && (
              <table className="line-errors" aria-label="Lines with errors">
                <thead>
                  <tr>
                    <th scope="col">Line</th>
                    <th scope="col">Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {result.errors.map((line) => (
                    <tr key={`${line.line}:${line.message}`} data-line={line.line}>
                      <td>{line.line}</td>
                      <td>{line.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        )}
      </Section>
      <div className="stack">
        <Section title="Grade export" id="export">
          <p className="muted">Every student's points per task and per step, as CSV.</p>
          <button type="button" onClick={onExport}>
            Download grades (CSV)
          </button>
          <ErrorBox error={exportError} />
        </Section>
        <Section title={`Students${students.data ? ` (${students.data.length})` : ''}`} id="students">
          <ErrorBox error={students.error} />
          {!students.data && !students.error && <Loading what="students" />}
          <ul className="student-list">
            {(students.data ?? []).map((student) => (
              <li key={student.userId}>
                <a href={`#/cohorts/${cohortId}/students/${student.userId}`}>{student.displayName}</a>
                <span className="muted">
                  {' '}
                  · {student.email ?? student.discordUsername ?? ''} · step {student.currentStep} ·{' '}
                  {student.status}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      </div>
    </div>
  );
}
