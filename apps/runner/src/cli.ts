#!/usr/bin/env node
import { checkCommand } from './commands/check.js';
import { runCommand } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { stateCommand } from './commands/state.js';
import { topicsCommand } from './commands/topics.js';
import { processIo } from './io.js';
import { routeProcessWarnings } from './logging/process-warnings.js';
import { main } from './program.js';

// kafkajs's notice about its v2 partitioner change concerns upgraders only, not Siphon users.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
routeProcessWarnings();

const commands = {
  run: runCommand,
  check: checkCommand,
  schema: schemaCommand,
  state: stateCommand,
  topics: topicsCommand,
};

const code = await main(process.argv.slice(2), commands, processIo());
// kafkajs and undici may keep sockets open for a while: leave once stdout and stderr are flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
