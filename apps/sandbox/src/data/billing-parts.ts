/** Pieces several billing record builders share: addresses, custom fields, line items. */
import {
  addonIdentity,
  BILLING_CODES,
  type CustomerIdentity,
  planIdentity,
  taxIdentity,
} from './billing-identities.js';
import { billingId } from './ids.js';
import { hashString, Rng } from './rng.js';
import { type BuildContext, type JsonRecord, round2 } from './spec.js';

export type Builder = (context: BuildContext) => JsonRecord;

const CUSTOM_FIELDS = [
  {
    label: 'Account Manager',
    data_type: 'string',
    values: ['Dana Reyes', 'Sam Okoye', 'Mina Park', 'Leo Hart'],
  },
  { label: 'Region', data_type: 'dropdown', values: ['AMER', 'EMEA', 'APAC'] },
  { label: 'Cost Center', data_type: 'string', values: ['CC-100', 'CC-220', 'CC-310', 'CC-450'] },
] as const;

export const PAYMENT_TERMS = [
  { days: 0, label: 'Due on Receipt' },
  { days: 15, label: 'Net 15' },
  { days: 30, label: 'Net 30' },
  { days: 45, label: 'Net 45' },
] as const;

const CUSTOM_FIELD_IDS = CUSTOM_FIELDS.map((_, i) => billingId(BILLING_CODES.customFields, i));

export function customFields(rng: Rng): JsonRecord[] {
  const count = rng.int(0, CUSTOM_FIELDS.length);
  const fields: JsonRecord[] = [];
  for (let i = 0; i < count; i++) {
    const def = CUSTOM_FIELDS[i]!;
    fields.push({
      customfield_id: CUSTOM_FIELD_IDS[i],
      index: i + 1,
      label: def.label,
      value: rng.pick(def.values),
      data_type: def.data_type,
    });
  }
  return fields;
}

export function address(who: CustomerIdentity): JsonRecord {
  return {
    attention: `${who.firstName} ${who.lastName}`,
    address: who.street,
    street2: who.street2,
    city: who.place.city,
    state: who.place.state,
    zip: who.place.zip,
    country: who.place.country,
    phone: who.phone,
    fax: null,
  };
}

/** Catalogue items behind plans (even numbers) and addons (odd numbers). */
const itemIds = new Map<number, string>();
function itemId(itemNumber: number): string {
  let id = itemIds.get(itemNumber);
  if (id === undefined) {
    id = billingId(BILLING_CODES.items, itemNumber);
    if (itemIds.size >= 50_000) itemIds.clear();
    itemIds.set(itemNumber, id);
  }
  return id;
}

export function accountId(name: string): string {
  return billingId(BILLING_CODES.accounts, hashString(name) % 100_000);
}

/** The revision a mutation made: a separate generator so the base fields stay put. */
export function revisionRng(context: BuildContext): Rng {
  return new Rng(context.seed, 0x7e71, context.index, context.version);
}

interface LineItems {
  items: JsonRecord[];
  subTotal: number;
  taxTotal: number;
}

export function lineItems(context: BuildContext, lineIdCode: number): LineItems {
  const { rng, world, seed, index } = context;
  const count = rng.int(1, 4);
  const items: JsonRecord[] = [];
  let subTotal = 0;
  let taxTotal = 0;
  const taxed = rng.chance(0.6);
  const taxIndex = world.pickIndex('taxes', rng);
  const tax = taxIdentity(seed, taxIndex);
  for (let i = 0; i < count; i++) {
    const isPlan = i === 0 || rng.chance(0.3);
    let name: string;
    let code: string;
    let itemNumber: number;
    let price: number;
    let unit: string;
    if (isPlan) {
      const planIndex = world.pickIndex('plans', rng);
      const plan = planIdentity(seed, planIndex, world.sizeOf('products'));
      name = plan.name;
      code = world.idOf('plans', planIndex);
      itemNumber = planIndex * 2;
      price = plan.price;
      unit = 'unit';
    } else {
      const addonIndex = world.pickIndex('addons', rng);
      const addon = addonIdentity(seed, addonIndex);
      name = addon.name;
      code = world.idOf('addons', addonIndex);
      itemNumber = addonIndex * 2 + 1;
      price = addon.price;
      unit = addon.unitName;
    }
    const quantity = isPlan ? 1 : rng.int(1, 25);
    const discount = rng.chance(0.15) ? round2(price * quantity * 0.1) : 0;
    const itemTotal = round2(price * quantity - discount);
    const itemTax = taxed ? round2((itemTotal * tax.percentage) / 100) : 0;
    subTotal += itemTotal;
    taxTotal += itemTax;
    items.push({
      line_item_id: billingId(lineIdCode, index * 8 + i),
      item_id: itemId(itemNumber),
      name,
      description: rng.chance(0.4) ? `Charges for ${name}` : '',
      code,
      item_type: isPlan ? 'plan' : 'addon',
      price,
      quantity,
      unit,
      discount_amount: discount,
      item_total: itemTotal,
      tax_id: taxed ? world.idOf('taxes', taxIndex) : null,
      tax_name: taxed ? tax.name : '',
      tax_percentage: taxed ? tax.percentage : 0,
    });
  }
  return { items, subTotal: round2(subTotal), taxTotal: round2(taxTotal) };
}
