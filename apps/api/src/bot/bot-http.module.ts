import { CohortsModule } from '@kubecohort/cohorts';
import { Module } from '@nestjs/common';
import { CohortDiscordController } from './cohort-discord.controller.js';

/** HTTP edge of what the Discord bot reads besides the student routes: Discord directory, event catch-up. */
@Module({
  imports: [CohortsModule],
  controllers: [CohortDiscordController],
})
export class BotHttpModule {}
