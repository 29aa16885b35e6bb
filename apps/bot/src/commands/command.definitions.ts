import {
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandBuilder,
} from 'discord.js';

const inGuildsAndDms = [InteractionContextType.Guild, InteractionContextType.BotDM];

/** Every slash command the bot serves, as registered with Discord (`npm run bot:register`). */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [
    new SlashCommandBuilder()
      .setName('join')
      .setDescription('Join your cohort with its invite code (links your Discord account)')
      .setContexts(inGuildsAndDms)
      .addStringOption((o) =>
        o.setName('code').setDescription('The invite code from your instructor').setRequired(true),
      ),
    new SlashCommandBuilder()
      .setName('link')
      .setDescription('Link this Discord account to your existing kubecohort account')
      .setContexts(inGuildsAndDms)
      .addStringOption((o) =>
        o.setName('code').setDescription('The link code from the dashboard').setRequired(true),
      ),
    new SlashCommandBuilder()
      .setName('lab')
      .setDescription('Your tasks')
      .setContexts(inGuildsAndDms)
      .addSubcommand((s) => s.setName('current').setDescription('The task you are on, with its instructions'))
      .addSubcommand((s) => s.setName('next').setDescription('Start the next task'))
      .addSubcommand((s) =>
        s
          .setName('hint')
          .setDescription('Hints for a task (the current one by default)')
          .addStringOption((o) => o.setName('task').setDescription('Task id').setAutocomplete(true)),
      )
      .addSubcommand((s) =>
        s
          .setName('submit')
          .setDescription('Submit a task for grading; the result replaces this reply')
          .addStringOption((o) =>
            o.setName('task').setDescription('Task id').setRequired(true).setAutocomplete(true),
          )
          .addStringOption((o) =>
            o
              .setName('answer')
              .setDescription('Quizzes: item=option, ... · Write-ups: a URL or text')
              .setMaxLength(4000),
          ),
      ),
    new SlashCommandBuilder()
      .setName('env')
      .setDescription('Your Kubernetes environment')
      .setContexts(inGuildsAndDms)
      .addSubcommand((s) => s.setName('create').setDescription('Create your environment'))
      .addSubcommand((s) =>
        s.setName('status').setDescription('Where your environment is (with a progress bar)'),
      )
      .addSubcommand((s) =>
        s
          .setName('kubeconfig')
          .setDescription('Your kubeconfig, sent privately (direct message or only-you reply)'),
      )
      .addSubcommand((s) =>
        s
          .setName('reset')
          .setDescription('Delete and recreate your environment')
          .addBooleanOption((o) =>
            o.setName('confirm').setDescription('Yes, delete everything in it').setRequired(true),
          ),
      ),
    new SlashCommandBuilder()
      .setName('progress')
      .setDescription('Your points and steps')
      .setContexts(inGuildsAndDms),
    new SlashCommandBuilder()
      .setName('ask')
      .setDescription("Ask a question in your cohort's Q&A forum")
      .setContexts([InteractionContextType.Guild, InteractionContextType.BotDM])
      .addStringOption((o) =>
        o.setName('title').setDescription('One line').setRequired(true).setMinLength(3).setMaxLength(100),
      )
      .addStringOption((o) =>
        o.setName('body').setDescription('What you tried, what you saw').setRequired(true).setMaxLength(4000),
      )
      .addStringOption((o) => o.setName('task').setDescription('The task it is about').setAutocomplete(true))
      .addStringOption((o) => o.setName('tags').setDescription('Comma-separated, e.g. dns, calico')),
    new SlashCommandBuilder()
      .setName('answer')
      .setDescription('Answer the question of this post')
      .setContexts([InteractionContextType.Guild])
      .addStringOption((o) =>
        o.setName('text').setDescription('Your answer').setRequired(true).setMaxLength(4000),
      )
      .addStringOption((o) => o.setName('question').setDescription('Question id (outside its post)')),
    new SlashCommandBuilder()
      .setName('accept')
      .setDescription('Accept the answer that solved your question')
      .setContexts([InteractionContextType.Guild])
      .addStringOption((o) =>
        o.setName('answer').setDescription('The answer').setRequired(true).setAutocomplete(true),
      )
      .addStringOption((o) => o.setName('question').setDescription('Question id (outside its post)')),
    new SlashCommandBuilder()
      .setName('search')
      .setDescription("Search your cohort's questions")
      .setContexts(inGuildsAndDms)
      .addStringOption((o) =>
        o.setName('query').setDescription('Words to look for').setRequired(true).setMaxLength(200),
      ),
    new SlashCommandBuilder()
      .setName('faq')
      .setDescription("Your cohort's FAQ (accepted answers)")
      .setContexts(inGuildsAndDms)
      .addStringOption((o) => o.setName('task').setDescription('Only this task').setAutocomplete(true)),
    new SlashCommandBuilder()
      .setName('cohort')
      .setDescription('Instructors: the cohort of this server')
      .setContexts([InteractionContextType.Guild])
      .setDefaultMemberPermissions(PermissionFlagsBits.ManageMessages)
      .addSubcommand((s) =>
        s
          .setName('stats')
          .setDescription('Funnel per step and stuck students')
          .addStringOption((o) =>
            o.setName('cohort').setDescription('When several share this server').setAutocomplete(true),
          ),
      ),
    new SlashCommandBuilder()
      .setName('inspect')
      .setDescription("Instructors: a student's progress, environment and last failures")
      .setContexts([InteractionContextType.Guild])
      .setDefaultMemberPermissions(PermissionFlagsBits.ManageMessages)
      .addUserOption((o) => o.setName('student').setDescription('The student').setRequired(true))
      .addStringOption((o) =>
        o.setName('cohort').setDescription('When several share this server').setAutocomplete(true),
      ),
    new SlashCommandBuilder()
      .setName('broadcast')
      .setDescription("Instructors: post in the cohort's announcements channel")
      .setContexts([InteractionContextType.Guild])
      .setDefaultMemberPermissions(PermissionFlagsBits.ManageMessages)
      .addStringOption((o) =>
        o.setName('message').setDescription('The announcement').setRequired(true).setMaxLength(1900),
      )
      .addStringOption((o) =>
        o.setName('cohort').setDescription('When several share this server').setAutocomplete(true),
      ),
  ].map((builder) => builder.toJSON());
}
