/**
 * Field conventions shared by every analytics schema:
 * - ids are UUID strings (`lago_id`, `lago_*_id`) or user-chosen codes, so `string`;
 * - money is integer cents (`*_amount_cents`, `*_cents`), so `long`, beside an ISO 4217
 *   currency field;
 * - decimals the API prints as strings (`"0.01"`, `"12.5"`) stay `string`, so no precision is
 *   lost; rates the API sends as JSON numbers are `double`;
 * - timestamps stay `string` in the API's ISO 8601 UTC form (`2022-04-29T08:59:51Z`), dates
 *   `yyyy-MM-dd`: the same choice as the billing source, whose offsets cannot be converted
 *   without loss.
 */
import type { AvroField } from '@siphon/avro';
import { arrayOf, fieldBuilders, record, required } from '@siphon/avro';

const TIMESTAMP = 'ISO 8601 UTC timestamp as sent by the API, e.g. 2022-04-29T08:59:51Z.';
const DATE = 'Date yyyy-MM-dd (UTC).';

export const [text, optionalText] = fieldBuilders('string');
export const [cents, optionalCents] = fieldBuilders('long', 'Integer cents of the currency.');
export const [decimal, optionalDecimal] = fieldBuilders('string', 'Decimal number as a string, e.g. "0.01".');
export const [count] = fieldBuilders('long');
export const [timestamp, optionalTimestamp] = fieldBuilders('string', TIMESTAMP);
export const [date, optionalDate] = fieldBuilders('string', DATE);

/** The seed's `id` and the real API's `lago_id` (equal values). */
export function ids(what: string): AvroField[] {
  return [
    text('id', `Seed primary key: the ${what} id (same value as lago_id).`),
    text('lago_id', `The real API's ${what} id, a UUID.`),
  ];
}

export function createdUpdated(): AvroField[] {
  return [
    timestamp('created_at', 'When the record was created.'),
    timestamp('updated_at', 'When the record last changed.'),
  ];
}

const appliedTax = record('AppliedTax', 'A tax applied to a plan or add-on.', [
  text('lago_id', 'Tax id (UUID).'),
  text('name', 'Tax name.'),
  text('code', 'Tax code.'),
  required('rate', 'double', 'Rate in percent.'),
  optionalText('description', 'Description.'),
  required('applied_to_organization', 'boolean', 'True when applied to the whole organisation by default.'),
]);

export function taxes(): AvroField {
  return required('taxes', arrayOf(appliedTax), 'Taxes applied (possibly none).');
}
