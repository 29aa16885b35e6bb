import { get } from '../api.js';
import { STATUS_STYLE } from '../components/status.js';
import { ErrorBox, Loading, Section } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { useLive } from '../live.js';
import type { Me, PlanView } from '../types.js';

/** A student's seven-step plan: each step's tasks with their status, the current step opened. */
export function MyPlan({ me }: { me: Me }) {
  const cohortId = me.enrollment?.cohortId;
  const plan = useLoad(
    (signal) => (cohortId ? get<PlanView>(`/cohorts/${cohortId}/plan`, signal) : Promise.resolve(null)),
    cohortId ?? '',
  );
  useLive(
    cohortId,
    (event) => {
      if (event.type === 'progress.updated' || event.type === 'plan.updated') plan.reload();
    },
    () => plan.reload(),
  );
  if (!cohortId)
    return (
      <div className="page">
        <p>You are not enrolled in a cohort.</p>
      </div>
    );
  const total = (plan.data?.steps ?? []).flatMap((step) => step.tasks).filter((task) => task.gradeable);
  const passed = total.filter((task) => task.progress?.status === 'passed').length;
  return (
    <div className="page">
      <h1>My plan</h1>
      <p className="muted">
        {me.enrollment?.cohortName} · step {plan.data?.currentStep ?? me.enrollment?.currentStep} of 7 ·{' '}
        {passed}/{total.length} graded tasks passed
      </p>
      <ErrorBox error={plan.error} />
      {!plan.data && !plan.error && <Loading what="plan" />}
      <ol className="plan-steps">
        {(plan.data?.steps ?? []).map((step) => (
          <li
            key={step.number}
            className={step.number === plan.data?.currentStep ? 'plan-step current' : 'plan-step'}
          >
            <details open={step.number === plan.data?.currentStep}>
              <summary className="plan-step-head">
                <strong>
                  {step.number}. {step.title}
                </strong>
                <span className="muted">
                  {step.locked
                    ? `locked${step.unlocksAt ? ` until ${new Date(step.unlocksAt).toLocaleString()}` : ''}`
                    : 'open'}
                  {step.effectiveDeadline
                    ? ` · due ${new Date(step.effectiveDeadline).toLocaleString()}`
                    : ''}
                </span>
              </summary>
              <ul className="task-list">
                {step.tasks.map((task) => {
                  const status = task.progress?.status ?? (step.locked ? 'locked' : 'available');
                  return (
                    <li key={task.id}>
                      <span
                        className="swatch"
                        style={{ background: STATUS_STYLE[status].fill }}
                        aria-hidden="true"
                      />
                      {step.locked ? (
                        <span>{task.title}</span>
                      ) : (
                        <a href={`#/me/tasks/${task.id}`}>{task.title}</a>
                      )}
                      <span className="muted">
                        {' '}
                        · {STATUS_STYLE[status].label} · {task.progress?.points ?? 0}/{task.maxPoints} pts ·{' '}
                        {task.completion.replace('_', ' ')}
                      </span>
                    </li>
                  );
                })}
              </ul>
            </details>
          </li>
        ))}
      </ol>
      {plan.data && (
        <Section title="Tip" id="tip">
          <p className="muted">Open a task to read its instructions and submit it. Results appear live.</p>
        </Section>
      )}
    </div>
  );
}
