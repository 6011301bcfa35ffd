/**
 * Checks JSON records against a declared Avro schema with the sink's own conformance engine
 * (`@siphon/avro`'s `compileConformer`), so a record passes here exactly when the sink would
 * write it. Reports paths a reader can act on: values the declared type rejects, fields the
 * schema does not declare, and the declared fields records carried (the sweep turns these into
 * the declared fields no record ever had, a sign the schema drifted from the data).
 */
import { type AvroRecordSchema, type Conformer, compileConformer, presentPaths } from '@siphon/avro';

export interface SchemaReport {
  /** `line_items[2].price: expected double, got string "12"` */
  invalid: string[];
  /** Fields present in records but not declared: `billing_address.county`, `lines[].tier` */
  undeclared: string[];
  /** Declared fields (as paths) seen at least once. */
  seen: Set<string>;
}

/** How many lines of each list a report keeps: enough to act on, short enough to read. */
const SHOWN = 20;

export class SchemaChecker {
  private readonly conform: Conformer;
  private readonly report: SchemaReport = { invalid: [], undeclared: [], seen: new Set() };

  constructor(readonly schema: AvroRecordSchema) {
    this.conform = compileConformer(schema);
  }

  check(record: Record<string, unknown>, label: string): void {
    const result = this.conform(record);
    if (!result.ok) {
      for (const { path, problem } of result.issues) {
        if (problem === 'unknown field') {
          // One line per undeclared field, whichever array item carried it.
          const line = `${label}: ${path.replace(/\[\d+\]/g, '[]')}`;
          if (this.report.undeclared.length < SHOWN) this.report.undeclared.push(line);
        } else if (this.report.invalid.length < SHOWN) {
          this.report.invalid.push(`${label}: ${path || '(record)'}: ${problem}`);
        }
      }
    }
    presentPaths(this.schema, record, this.report.seen);
  }

  result(): SchemaReport {
    return this.report;
  }
}
