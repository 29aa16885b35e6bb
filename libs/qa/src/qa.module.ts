import { Module } from '@nestjs/common';
import { Answers } from './answers.use-case.js';
import { Faq } from './faq.service.js';
import { QaScope } from './qa-scope.repository.js';
import { QuestionSearch } from './question-search.repository.js';
import { QuestionSolver } from './question-solver.js';
import { Questions } from './questions.use-case.js';

const providers = [Answers, Faq, QaScope, QuestionSearch, QuestionSolver, Questions];

/**
 * Community Q&A: questions, answers, votes, acceptance, endorsement, search, FAQ and the grading
 * hook (QuestionSolver). Needs the global DatabaseModule, RealtimeModule (Transactions) and
 * AuthModule (AuditTrail, Clock).
 */
@Module({ providers, exports: providers })
export class QaModule {}
