import { QaModule } from '@kubecohort/qa';
import { Module } from '@nestjs/common';
import { AnswersController } from './answers.controller.js';
import { CohortQuestionsController } from './cohort-questions.controller.js';
import { QuestionsController } from './questions.controller.js';

/** HTTP edge of community Q&A: questions, answers, votes, acceptance, endorsement, moderation, search, FAQ. */
@Module({
  imports: [QaModule],
  controllers: [CohortQuestionsController, QuestionsController, AnswersController],
})
export class QaHttpModule {}
