import { CurrentUser, type UserPrincipal } from '@kubecohort/auth';
import type { TaskProgressView } from '@kubecohort/contracts';
import { troubleshootingIncidentOf } from '@kubecohort/grading';
import { PlanService, ProgressRecorder, type StudentTaskView } from '@kubecohort/progress';
import { JobQueue } from '@kubecohort/queue';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TaskProgressDto } from './progress.dto.js';
import { ParseTaskId } from './progress.pipes.js';

/** A student's own progress (also reachable by the bot acting for the student). */
@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
export class MyProgressController {
  constructor(
    private readonly plans: PlanService,
    private readonly recorder: ProgressRecorder,
    private readonly jobs: JobQueue,
  ) {}

  @Get('progress')
  @ApiOperation({
    summary: 'My progress on every task of my cohort (locked/available derived for untouched tasks)',
  })
  progress(@CurrentUser() user: UserPrincipal): ReturnType<PlanService['studentProgress']> {
    return this.plans.studentProgress(user);
  }

  @Get('tasks/:taskId')
  @ApiOperation({
    summary: "A task of my cohort's curriculum version with its instructions (markdown) and my progress",
  })
  task(
    @CurrentUser() user: UserPrincipal,
    @Param('taskId', ParseTaskId) taskId: string,
  ): Promise<StudentTaskView> {
    return this.plans.studentTask(user, taskId);
  }

  @Post('tasks/:taskId/start')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Start a task (in_progress; idempotent). 409 step_locked while its step is locked. Starting a troubleshooting incident (again) redeploys its app with the student's fault.",
  })
  @ApiOkResponse({ type: TaskProgressDto })
  async start(
    @CurrentUser() user: UserPrincipal,
    @Param('taskId', ParseTaskId) taskId: string,
  ): Promise<TaskProgressView> {
    const progress = await this.recorder.start(user, taskId);
    const incident = troubleshootingIncidentOf(taskId);
    if (incident !== undefined) {
      // Every start redeploys (a clean slate on restart); the worker applies it to the vcluster.
      await this.jobs.add(
        'grading.prepare-incident',
        { userId: user.userId, taskId, incident },
        {
          jobId: `incident-${user.userId}-${incident}-${Date.now()}`,
          attempts: 5,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: 100,
          removeOnFail: 100,
        },
      );
    }
    return progress;
  }
}
