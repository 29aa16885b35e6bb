import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../api/api.error.js';
import type { AutocompleteContext, CommandContext } from './command.context.js';
import { friendlyError, UserFacingError } from './error-messages.js';
import { AutocompleteHandler } from './handlers/autocomplete.handler.js';
import { EnvHandler } from './handlers/env.handler.js';
import { JoinHandler } from './handlers/join.handler.js';
import { LabHandler } from './handlers/lab.handler.js';
import { ProgressHandler } from './handlers/progress.handler.js';
import { QaHandler } from './handlers/qa.handler.js';
import { StaffHandler } from './handlers/staff.handler.js';

type Handler = (ctx: CommandContext) => Promise<void>;

/**
 * Routes each slash command to its handler and turns failures into a friendly reply (unlinked
 * account, locked step, rate limit...). The edge between Discord and our handlers: nothing here
 * knows discord.js.
 */
@Injectable()
export class CommandRouter {
  private readonly logger = new Logger(CommandRouter.name);
  private readonly routes: Map<string, Handler>;

  constructor(
    join: JoinHandler,
    lab: LabHandler,
    env: EnvHandler,
    progress: ProgressHandler,
    qa: QaHandler,
    staff: StaffHandler,
    private readonly autocomplete: AutocompleteHandler,
  ) {
    this.routes = new Map<string, Handler>([
      ['join', (ctx) => join.join(ctx)],
      ['link', (ctx) => join.link(ctx)],
      ['lab current', (ctx) => lab.current(ctx)],
      ['lab next', (ctx) => lab.next(ctx)],
      ['lab hint', (ctx) => lab.hint(ctx)],
      ['lab submit', (ctx) => lab.submit(ctx)],
      ['env create', (ctx) => env.create(ctx)],
      ['env status', (ctx) => env.status(ctx)],
      ['env kubeconfig', (ctx) => env.kubeconfig(ctx)],
      ['env reset', (ctx) => env.reset(ctx)],
      ['progress', (ctx) => progress.progress(ctx)],
      ['ask', (ctx) => qa.ask(ctx)],
      ['answer', (ctx) => qa.answer(ctx)],
      ['accept', (ctx) => qa.accept(ctx)],
      ['search', (ctx) => qa.search(ctx)],
      ['faq', (ctx) => qa.faq(ctx)],
      ['cohort stats', (ctx) => staff.stats(ctx)],
      ['inspect', (ctx) => staff.inspect(ctx)],
      ['broadcast', (ctx) => staff.broadcast(ctx)],
    ]);
  }

  /** Every route, as `command` or `command subcommand` (checked against the definitions in a spec). */
  routeNames(): string[] {
    return [...this.routes.keys()];
  }

  async dispatch(ctx: CommandContext): Promise<void> {
    const name = ctx.subcommand ? `${ctx.command} ${ctx.subcommand}` : ctx.command;
    const handler = this.routes.get(name);
    try {
      if (!handler) throw new UserFacingError('I do not know that command (yet). Try `/lab current`.');
      await handler(ctx);
    } catch (error) {
      if (
        !(error instanceof UserFacingError) &&
        !(error instanceof ApiError && error.status > 0 && error.status < 500)
      )
        this.logger.error(
          { err: (error as Error).message, stack: (error as Error).stack, command: name },
          'command failed',
        );
      try {
        await ctx.respond({ content: `⚠️ ${friendlyError(error)}`, ephemeral: true });
      } catch (replyError) {
        this.logger.warn({ err: (replyError as Error).message, command: name }, 'could not report a failure');
      }
    }
  }

  complete(ctx: AutocompleteContext): Promise<void> {
    return this.autocomplete.handle(ctx);
  }
}
