/** Pieces several analytics record builders share. */
import { type ChargeIdentity, subscriptionIdentity, uuids } from './analytics-identities.js';
import { Rng } from './rng.js';
import type { BuildContext, JsonRecord, World } from './spec.js';

export type Builder = (context: BuildContext) => JsonRecord;

/** Decimal strings the way the API prints them: `"0.01"`, `"12.5"`. */
export function decimal(value: number, digits = 2): string {
  return value.toFixed(digits);
}

export function revisionRng(context: BuildContext): Rng {
  return new Rng(context.seed, 0x1a90, context.index, context.version);
}

export function subscriptionOf(world: World, index: number) {
  return subscriptionIdentity(world.seed, index, world.sizeOf('customers'), world.sizeOf('plans'));
}

export function chargeProperties(charge: ChargeIdentity, rng: Rng): JsonRecord {
  const properties: JsonRecord = {
    amount: null,
    free_units: null,
    package_size: null,
    rate: null,
    fixed_amount: null,
    graduated_ranges: null,
  };
  switch (charge.model) {
    case 'standard':
      properties.amount = decimal(charge.unitPrice, 3);
      break;
    case 'package':
      properties.amount = decimal(charge.unitPrice * 100);
      properties.free_units = rng.pick([0, 100, 1000]);
      properties.package_size = rng.pick([100, 1000, 10000]);
      break;
    case 'percentage':
      properties.rate = decimal(rng.pick([0.5, 1, 1.5, 2.9]), 1);
      properties.fixed_amount = decimal(rng.pick([0, 0.1, 0.3]));
      break;
    default:
      properties.graduated_ranges = [
        { from_value: 0, to_value: 100, per_unit_amount: decimal(charge.unitPrice, 3), flat_amount: '0.00' },
        {
          from_value: 101,
          to_value: null,
          per_unit_amount: decimal(charge.unitPrice / 2, 3),
          flat_amount: '1.00',
        },
      ];
  }
  return properties;
}

export function taxes(rng: Rng, seed: number): JsonRecord[] {
  if (!rng.chance(0.3)) return [];
  const vat = rng.pick([5, 10, 19, 20]);
  return [
    {
      lago_id: uuids(seed, 'taxes').uuid(vat),
      name: `VAT ${vat}%`,
      code: `vat_${vat}`,
      rate: vat,
      description: null,
      applied_to_organization: false,
    },
  ];
}

export function monthStart(epochSeconds: number): number {
  const date = new Date(epochSeconds * 1000);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / 1000;
}

export function nextMonthStart(epochSeconds: number): number {
  const date = new Date(epochSeconds * 1000);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / 1000;
}
