/**
 * Writes what each event of the digest workload did (bench/outcome-digest.ts `outcomeOf`), one canonical JSON
 * line per event, so two paths whose digests differ can be compared line by line:
 *
 *   npx tsx bench/digest-dump.ts reference > /tmp/ref.jsonl && npx tsx bench/digest-dump.ts fast > /tmp/fast.jsonl
 */
import './env';
import type { EnginePath } from '../local/sandbox/account';
import { DEFAULT_DIGEST_WORKLOAD, outcomeLines } from './outcome-digest';

const engine: EnginePath = process.argv.includes('fast') ? 'fast' : 'reference';
outcomeLines(DEFAULT_DIGEST_WORKLOAD, engine, (line) => process.stdout.write(`${line}\n`)).catch(
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
