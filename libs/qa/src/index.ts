export { Answers, type AnswerInput, type VoteValue } from './answers.use-case.js';
export { readAskerContext } from './asker-context.js';
export { Faq, FAQ_MAX_ENTRIES } from './faq.service.js';
export { QaModule } from './qa.module.js';
export {
  ANSWER_BODY_MAX,
  compareAnswers,
  DEFAULT_QUESTION_PAGE,
  groupFaq,
  MAX_QUESTION_PAGE,
  MAX_SIMILAR,
  MAX_TAGS,
  normalizeTags,
  QA_RATE_LIMITS,
  QUESTION_BODY_MAX,
  QUESTION_TITLE_MAX,
  SIMILAR_ON_ASK,
  TAG_PATTERN,
  TASK_ID_PATTERN,
} from './qa.rules.js';
export { isStaff, QaScope, visibleCohortSql } from './qa-scope.repository.js';
export type * from './qa.views.js';
export type { QaRequestMeta } from './qa.writes.js';
export { QuestionSearch, type QuestionFilter } from './question-search.repository.js';
export { QuestionSolver, type GradingPassed } from './question-solver.js';
export { Questions, type AskInput, type ListQuery, type QuestionEdit } from './questions.use-case.js';
