import { checkCommand } from './check.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';
import { stateCommand } from './state.js';
import { topicsCommand } from './topics.js';

/** The `siphon` subcommands by name: what `main` dispatches to, in the CLI and in tests alike. */
export const commands = {
  run: runCommand,
  check: checkCommand,
  schema: schemaCommand,
  state: stateCommand,
  topics: topicsCommand,
};
