/**
 * Facts about a billing record that other records repeat (a customer's name on an invoice,
 * a plan's price on a subscription). Each comes from its own generator keyed by the
 * referenced index, so the invoice and the customer agree without either being stored.
 */

import { asciiSlug, identityRng } from './identity.js';
import { billingId, codeId } from './ids.js';
import { memoize } from './memo.js';
import { round2 } from './spec.js';
import {
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  FIRST_NAMES,
  LAST_NAMES,
  PLACES,
  type Place,
  PRODUCT_NOUNS,
  SALUTATIONS,
  STREETS,
  TIERS,
} from './words.js';

export const BILLING_CODES = {
  products: 1,
  customers: 5,
  quotes: 6,
  invoices: 7,
  expenses: 8,
  subscriptions: 9,
  taxes: 10,
  transactions: 11,
  recurring_expenses: 12,
  quoteLines: 30,
  invoiceLines: 31,
  customFields: 21,
  accounts: 22,
  contactPersons: 23,
  vendors: 24,
  items: 25,
  payments: 26,
} as const;

export const billingIds = {
  products: (i: number) => billingId(BILLING_CODES.products, i),
  plans: (i: number) => codeId('plan-', i),
  addons: (i: number) => codeId('addon-', i),
  coupons: (i: number) => codeId('CPN-', i),
  customers: (i: number) => billingId(BILLING_CODES.customers, i),
  quotes: (i: number) => billingId(BILLING_CODES.quotes, i),
  invoices: (i: number) => billingId(BILLING_CODES.invoices, i),
  expenses: (i: number) => billingId(BILLING_CODES.expenses, i),
  subscriptions: (i: number) => billingId(BILLING_CODES.subscriptions, i),
  taxes: (i: number) => billingId(BILLING_CODES.taxes, i),
  transactions: (i: number) => billingId(BILLING_CODES.transactions, i),
  recurring_expenses: (i: number) => billingId(BILLING_CODES.recurring_expenses, i),
} as const;

export interface CustomerIdentity {
  salutation: string;
  firstName: string;
  lastName: string;
  company: string | null;
  displayName: string;
  email: string;
  phone: string | null;
  place: Place;
  street: string;
  street2: string | null;
  currency: string;
}

function computeCustomerIdentity(seed: number, index: number): CustomerIdentity {
  const rng = identityRng('billing', seed, 'customer', index);
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const company = rng.chance(0.7) ? `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_SUFFIXES)}` : null;
  const place = rng.pick(PLACES);
  const domain = company ? `${asciiSlug(company)}.com` : rng.pick(['gmail.com', 'outlook.com', 'proton.me']);
  return {
    salutation: rng.pick(SALUTATIONS),
    firstName,
    lastName,
    company,
    displayName: company ?? `${firstName} ${lastName}`,
    email: `${asciiSlug(firstName)}.${asciiSlug(lastName)}${index}@${domain}`,
    phone: rng.chance(0.8)
      ? `+1-${rng.int(200, 989)}-555-${String(rng.int(0, 9999)).padStart(4, '0')}`
      : null,
    place,
    street: `${rng.int(1, 9999)} ${rng.pick(STREETS)}`,
    street2: rng.chance(0.3) ? `Suite ${rng.int(100, 900)}` : null,
    currency: place.currency,
  };
}

export interface ProductIdentity {
  name: string;
}

function computeProductIdentity(seed: number, index: number): ProductIdentity {
  const rng = identityRng('billing', seed, 'product', index);
  return { name: `${rng.pick(PRODUCT_NOUNS)} ${rng.pick(['Cloud', 'Suite', 'Pro', 'One', '360', 'Hub'])}` };
}

export interface PlanIdentity {
  name: string;
  productIndex: number;
  tier: string;
  intervalUnit: 'months' | 'years';
  price: number;
  setupFee: number;
  trialDays: number;
}

function computePlanIdentity(seed: number, index: number, productCount: number): PlanIdentity {
  const rng = identityRng('billing', seed, 'plan', index);
  const productIndex = rng.int(0, Math.max(productCount, 1) - 1);
  const tier = rng.pick(TIERS);
  const intervalUnit = rng.chance(0.75) ? 'months' : 'years';
  const monthly = rng.pick([9, 19, 29, 49, 79, 99, 149, 299, 499]);
  return {
    name: `${productIdentity(seed, productIndex).name} ${tier} ${intervalUnit === 'months' ? 'Monthly' : 'Yearly'}`,
    productIndex,
    tier,
    intervalUnit,
    price: intervalUnit === 'months' ? monthly : round2(monthly * 10),
    setupFee: rng.chance(0.3) ? rng.pick([25, 50, 100]) : 0,
    trialDays: rng.pick([0, 0, 7, 14, 30]),
  };
}

export interface AddonIdentity {
  name: string;
  unitName: string;
  price: number;
  type: 'recurring' | 'one_time';
}

function computeAddonIdentity(seed: number, index: number): AddonIdentity {
  const rng = identityRng('billing', seed, 'addon', index);
  const unitName = rng.pick(['user', 'seat', 'GB', 'license', 'device', 'hour']);
  return {
    name: `${rng.pick(['Extra', 'Additional', 'Premium', 'Priority'])} ${rng.pick(['Users', 'Storage', 'Support', 'Seats', 'Devices', 'Reports'])}`,
    unitName,
    price: rng.pick([2, 5, 10, 15, 25, 50]),
    type: rng.chance(0.8) ? 'recurring' : 'one_time',
  };
}

export interface TaxIdentity {
  name: string;
  percentage: number;
  type: 'tax' | 'compound_tax';
  authority: string | null;
}

function computeTaxIdentity(seed: number, index: number): TaxIdentity {
  const rng = identityRng('billing', seed, 'tax', index);
  const place = rng.pick(PLACES);
  const kind = rng.pick(['Sales Tax', 'VAT', 'GST', 'State Tax', 'City Tax']);
  return {
    name: `${place.state} ${kind}`,
    percentage: rng.pick([2.5, 5, 6.25, 7, 8.25, 10, 12, 18, 19, 20]),
    type: rng.chance(0.9) ? 'tax' : 'compound_tax',
    authority: rng.chance(0.6) ? `${place.state} Department of Revenue` : null,
  };
}

export interface CouponIdentity {
  name: string;
  discountBy: 'flat' | 'percentage';
  discountValue: number;
}

function computeCouponIdentity(seed: number, index: number): CouponIdentity {
  const rng = identityRng('billing', seed, 'coupon', index);
  const discountBy = rng.chance(0.6) ? 'percentage' : 'flat';
  const discountValue =
    discountBy === 'percentage' ? rng.pick([5, 10, 15, 20, 25, 50]) : rng.pick([5, 10, 20, 50]);
  const season = rng.pick(['Spring', 'Summer', 'Autumn', 'Winter', 'Launch', 'Loyalty', 'Partner']);
  return {
    name: `${season} ${discountBy === 'percentage' ? `${discountValue}% off` : `${discountValue} off`}`,
    discountBy,
    discountValue,
  };
}

export const customerIdentity = memoize(computeCustomerIdentity);

export const productIdentity = memoize(computeProductIdentity);

export const planIdentity = memoize(computePlanIdentity);

export const addonIdentity = memoize(computeAddonIdentity);

export const taxIdentity = memoize(computeTaxIdentity);

export const couponIdentity = memoize(computeCouponIdentity);
