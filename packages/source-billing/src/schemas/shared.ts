/**
 * Field conventions shared by every billing schema:
 * - ids are digit strings (`"903000000045027"`) or user-chosen codes, so always `string`;
 * - money is a JSON number in major units (`370`, `19.99`), so `double`;
 * - other integers (days, counts) are `long`;
 * - datetimes and dates stay `string` in the API's own format: the datetime offset has no colon
 *   (`2016-06-05T17:38:06-0700`), which is not RFC 3339, and converting it would lose the
 *   organisation's offset. Consumers parse them with the pattern in the field's doc;
 * - nested documents (line items, addresses, custom fields, a subscription's plan and addons)
 *   are nullable: the real API's list views return summaries that may leave them out (its
 *   detail views carry them), and a missing required field would reject the record.
 */
import type { AvroField, AvroType } from '@siphon/avro';
import { arrayOf, fieldBuilders, optional, record, required } from '@siphon/avro';

const DATETIME = "Datetime as sent by the API, pattern yyyy-MM-dd'T'HH:mm:ssZ (offset without colon).";
const DATE = 'Date yyyy-MM-dd in the organisation time zone.';

export const [money, optionalMoney] = fieldBuilders('double', 'Major currency units.');
export const [datetime] = fieldBuilders('string', DATETIME);
export const [date, optionalDate] = fieldBuilders('string', DATE);
export const [text, optionalText] = fieldBuilders('string');

/** Both ids every record carries: the seed's `id` and the real API's own id field (equal values). */
export function ids(realIdField: string, what: string): AvroField[] {
  return [
    text('id', `Seed primary key: the ${what} id (same value as ${realIdField}).`),
    text(realIdField, `The real API's ${what} id.`),
  ];
}

export function created(): AvroField {
  return datetime('created_time', 'When the record was created.');
}

export function updated(name: 'updated_time' | 'last_modified_time'): AvroField {
  return datetime(name, 'When the record last changed.');
}

/**
 * Custom field values are strings in the sandbox; the real API sends numbers and booleans for
 * numeric and check-box fields, so the value is a union that takes all of them.
 */
const customField = record('CustomField', 'A user-defined field of the organisation.', [
  text('customfield_id', 'Id of the custom field definition.'),
  required('index', 'long', 'Position of the field (1-based).'),
  text('label', 'Label shown in the UI.'),
  optional('value', ['string', 'double', 'boolean'] as AvroType, 'Value; its JSON type follows data_type.'),
  text('data_type', 'Kind of field: string, dropdown, number, check_box, date, ...'),
]);

export function customFields(): AvroField {
  return optional('custom_fields', arrayOf(customField), 'Custom fields set on the record (possibly none).');
}

const address = record('Address', 'A postal address.', [
  optionalText('attention', 'Person the mail is for.'),
  optionalText('address', 'Street line.'),
  optionalText('street2', 'Second street line.'),
  optionalText('city', 'City.'),
  optionalText('state', 'State or region.'),
  optionalText('zip', 'Postal code.'),
  optionalText('country', 'Country name.'),
  optionalText('phone', 'Phone number at this address.'),
  optionalText('fax', 'Fax number.'),
]);

export function billingAddress(): AvroField {
  return optional('billing_address', address, 'Billing address.');
}

export function shippingAddress(): AvroField {
  return optional('shipping_address', address, 'Shipping address, when one is set.');
}

const lineItem = record('LineItem', 'One priced line of an invoice or estimate.', [
  text('line_item_id', 'Id of the line.'),
  text('item_id', 'Id of the catalogue item billed.'),
  text('name', 'Item name.'),
  optionalText('description', 'Line description (may be empty).'),
  optionalText('code', 'plan_code or addon_code of the item.'),
  optionalText('item_type', 'plan, addon, ...'),
  money('price', 'Unit price.'),
  required('quantity', 'double', 'Quantity (may be fractional).'),
  optionalText('unit', 'Unit name.'),
  money('discount_amount', 'Discount on the line.'),
  money('item_total', 'Line total after discount, before tax.'),
  optionalText('tax_id', 'Tax applied to the line.'),
  optionalText('tax_name', 'Name of the tax (empty when untaxed).'),
  required('tax_percentage', 'double', 'Tax rate in percent (0 when untaxed).'),
]);

export function lineItems(): AvroField {
  return optional('line_items', arrayOf(lineItem), 'Priced lines.');
}
