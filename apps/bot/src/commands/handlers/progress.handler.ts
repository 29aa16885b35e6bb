import { Injectable } from '@nestjs/common';
import { ApiClient } from '../../api/api.client.js';
import { formatProgress } from '../../format/lab.format.js';
import type { CommandContext } from '../command.context.js';
import { actAs } from './lab.handler.js';

/** `/progress`: points, current step and every step's tasks done. */
@Injectable()
export class ProgressHandler {
  constructor(private readonly api: ApiClient) {}

  async progress(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const as = actAs(ctx);
    const progress = await this.api.myProgress(as);
    const plan = await this.api.plan(as, progress.cohortId);
    await ctx.respond({ content: formatProgress(plan, progress) });
  }
}
