#!/usr/bin/env -S node --max-semi-space-size=4
// The shebang caps V8's young generation at 4 MB per semi-space: on a large host V8 lets it grow to
// 64 MB, and a 300,000-invoice `run --once` then peaks at 359-375 MiB RSS instead of 270-283 MiB,
// for about the same CPU time. V8 reads the flag only at start-up (v8.setFlagsFromString here had
// no effect), so code cannot set it; `node --max-semi-space-size=N dist/cli.js` picks another
// size, and the container image sets it through NODE_OPTIONS.
import { commands } from './commands/index.js';
import { processIo } from './io.js';
import { routeProcessWarnings } from './logging/process-warnings.js';
import { main } from './program.js';

// kafkajs's notice about its v2 partitioner change concerns upgraders only, not Siphon users.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
routeProcessWarnings();

const code = await main(process.argv.slice(2), commands, processIo());
// kafkajs and undici may keep sockets open for a while: leave once stdout and stderr are flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
