import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressBoard } from '../src/ops/progress.js';
import { cliPath, runCli, runnerDir } from './helpers/runner.js';

const version = (
  JSON.parse(readFileSync(path.join(runnerDir, 'package.json'), 'utf8')) as { version: string }
).version;

describe('what the CLI reports about itself', () => {
  it.each(['--version', '-V'])('%s prints the version and exits 0', async (flag) => {
    const result = await runCli([flag]);
    expect(result).toMatchObject({ code: 0, stdout: `siphon ${version}\n`, stderr: '' });
  });

  it('the built dist/cli.js is executable, as the package bin', () => {
    expect(() => accessSync(cliPath, constants.X_OK)).not.toThrow();
  });

  it('the progress table is left on screen once, however often the run stops it', () => {
    let out = '';
    const board = new ProgressBoard({ write: (s: string) => (out += s) });
    board.expect('a', ['r']);
    board.start();
    board.observe('a', { type: 'engine.resource_started', resource: 'r', resumed: false }, 0);
    board.observe(
      'a',
      { type: 'engine.resource_finished', resource: 'r', pages: 0, records: 0, durationMs: 10 },
      10,
    );
    board.stop();
    board.stop();
    board.stop();
    expect(out.match(/a\/r/g)).toHaveLength(1);
    expect(out).toMatch(/^✓ done .*a\/r\n$/u);
  });
});
