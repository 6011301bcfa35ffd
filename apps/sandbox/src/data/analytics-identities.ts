/**
 * Facts about an analytics record that other records repeat (a plan's charges on a usage
 * record, a customer's external id on a subscription), derived from the referenced index.
 */

import { asciiSlug, identityRng } from './identity.js';
import { codeId, UuidFactory } from './ids.js';
import { memoize } from './memo.js';
import {
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  FIRST_NAMES,
  LAST_NAMES,
  PLACES,
  type Place,
  PRODUCT_NOUNS,
  STREETS,
} from './words.js';

const factories = new Map<string, UuidFactory>();

/** The UUID factory of one analytics id space (a resource, or nested objects like charges). */
export function uuids(seed: number, scope: string): UuidFactory {
  const key = `${seed}:${scope}`;
  let factory = factories.get(key);
  if (!factory) {
    factory = new UuidFactory(seed, `analytics.${scope}`);
    factories.set(key, factory);
  }
  return factory;
}

export const AGGREGATIONS = [
  'count_agg',
  'sum_agg',
  'max_agg',
  'unique_count_agg',
  'latest_agg',
  'weighted_sum_agg',
] as const;

export interface MetricIdentity {
  name: string;
  code: string;
  aggregationType: (typeof AGGREGATIONS)[number];
  fieldName: string | null;
}

function computeMetricIdentity(seed: number, index: number): MetricIdentity {
  const rng = identityRng('analytics', seed, 'metric', index);
  const noun = rng.pick([
    'API calls',
    'Storage',
    'Seats',
    'Compute hours',
    'Messages',
    'Transactions',
    'Bandwidth',
  ]);
  const aggregationType = rng.pick(AGGREGATIONS);
  return {
    name: noun,
    code: `${asciiSlug(noun)}_${String(index).padStart(6, '0')}`,
    aggregationType,
    fieldName:
      aggregationType === 'count_agg' ? null : rng.pick(['amount', 'gb', 'seats', 'duration', 'bytes']),
  };
}

export interface AnalyticsCustomer {
  externalId: string;
  name: string;
  firstname: string | null;
  lastname: string | null;
  isCompany: boolean;
  email: string;
  place: Place;
  street: string;
  currency: string;
}

function computeAnalyticsCustomer(seed: number, index: number): AnalyticsCustomer {
  const rng = identityRng('analytics', seed, 'customer', index);
  const isCompany = rng.chance(0.7);
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const company = `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_SUFFIXES)}`;
  const place = rng.pick(PLACES);
  return {
    externalId: codeId('cust_', index),
    name: isCompany ? company : `${first} ${last}`,
    firstname: isCompany && rng.chance(0.5) ? null : first,
    lastname: isCompany && rng.chance(0.5) ? null : last,
    isCompany,
    email: `${asciiSlug(first)}${index}@${isCompany ? `${asciiSlug(company)}.io` : 'mail.com'}`,
    place,
    street: `${rng.int(1, 999)} ${rng.pick(STREETS)}`,
    currency: place.currency === 'JPY' || place.currency === 'INR' ? 'USD' : place.currency,
  };
}

export type ChargeModel = 'standard' | 'graduated' | 'package' | 'percentage' | 'volume';

export interface ChargeIdentity {
  lagoId: string;
  metricIndex: number;
  model: ChargeModel;
  displayName: string | null;
  payInAdvance: boolean;
  /** Price per unit in major units, used to price usage. */
  unitPrice: number;
}

export interface PlanIdentity {
  name: string;
  code: string;
  interval: 'weekly' | 'monthly' | 'quarterly' | 'yearly';
  amountCents: number;
  currency: string;
  charges: ChargeIdentity[];
}

function computePlanIdentity(seed: number, index: number, metricCount: number): PlanIdentity {
  const rng = identityRng('analytics', seed, 'plan', index);
  const tier = rng.pick(['Starter', 'Growth', 'Scale', 'Enterprise']);
  const product = rng.pick(PRODUCT_NOUNS);
  const interval = rng.pick(['monthly', 'monthly', 'yearly', 'quarterly', 'weekly'] as const);
  const chargeCount = rng.int(1, 3);
  const charges: ChargeIdentity[] = [];
  for (let i = 0; i < chargeCount; i++) {
    charges.push({
      lagoId: uuids(seed, 'charges').uuid(index * 8 + i),
      metricIndex: rng.int(0, Math.max(metricCount, 1) - 1),
      model: rng.pick(['standard', 'standard', 'graduated', 'package', 'percentage', 'volume'] as const),
      displayName: rng.chance(0.4) ? `${product} usage` : null,
      payInAdvance: rng.chance(0.2),
      unitPrice: rng.pick([0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5]),
    });
  }
  return {
    name: `${product} ${tier}`,
    code: codeId(`${asciiSlug(tier)}_`, index),
    interval,
    amountCents: rng.pick([0, 900, 1900, 4900, 9900, 29900, 99900]),
    currency: rng.pick(['USD', 'USD', 'EUR', 'GBP']),
    charges,
  };
}

export interface SubscriptionIdentity {
  externalId: string;
  customerIndex: number;
  planIndex: number;
}

export function subscriptionIdentity(
  seed: number,
  index: number,
  customerCount: number,
  planCount: number,
): SubscriptionIdentity {
  const rng = identityRng('analytics', seed, 'subscription', index);
  return {
    externalId: codeId('sub_', index),
    customerIndex: rng.int(0, Math.max(customerCount, 1) - 1),
    planIndex: rng.int(0, Math.max(planCount, 1) - 1),
  };
}

export const metricIdentity = memoize(computeMetricIdentity);

export const analyticsCustomer = memoize(computeAnalyticsCustomer);

export const planIdentity = memoize(computePlanIdentity);
