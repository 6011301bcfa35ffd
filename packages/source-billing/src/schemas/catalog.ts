/** What the organisation sells: products, plans, addons, coupons, and the taxes it charges. */
import type { AvroRecordSchema } from '@siphon/avro';
import { arrayOf, optional, record, required } from '@siphon/avro';
import { created, customFields, ids, money, optionalDate, optionalText, text, updated } from './shared.js';

export const product: AvroRecordSchema = record(
  'Product',
  'A product: the umbrella for plans and addons (GET /products).',
  [
    ...ids('product_id', 'product'),
    text('name', 'Product name.'),
    optionalText('description', 'Description (may be empty).'),
    optionalText('email_ids', 'Comma-separated emails notified about subscriptions (may be empty).'),
    optionalText('redirect_url', 'Where customers land after subscribing.'),
    text('status', 'active or inactive.'),
    created(),
    updated('updated_time'),
  ],
);

export const plan: AvroRecordSchema = record('Plan', 'A subscription plan of a product (GET /plans).', [
  ...ids('plan_code', 'plan'),
  text('name', 'Plan name.'),
  optionalText('description', 'Description (may be empty).'),
  text('status', 'active or inactive.'),
  text('product_id', 'Product the plan belongs to.'),
  optionalText('product_type', 'goods or service.'),
  money('recurring_price', 'Price per billing interval.'),
  optionalText('unit', 'Unit the price is for.'),
  required('interval', 'long', 'Number of interval units per billing cycle.'),
  text('interval_unit', 'months or years.'),
  required('billing_cycles', 'long', 'Number of cycles billed; -1 until cancelled.'),
  required('trial_period', 'long', 'Trial length in days (0 for none).'),
  money('setup_fee', 'One-off fee charged at signup.'),
  optionalText('account_id', 'Income account id.'),
  optionalText('account', 'Income account name.'),
  optionalText('tax_id', 'Tax applied to the plan.'),
  optionalText('tax_name', 'Tax name (empty when untaxed).'),
  required('tax_percentage', 'double', 'Tax rate in percent (0 when untaxed).'),
  customFields(),
  created(),
  updated('updated_time'),
]);

const priceBracket = record('PriceBracket', 'A quantity range and its unit price.', [
  required('start_quantity', 'long', 'First quantity of the range.'),
  optional('end_quantity', 'long', 'Last quantity of the range; null when open-ended.'),
  money('price', 'Unit price within the range.'),
]);

const planRef = record('PlanRef', 'A plan an addon can be bought with.', [
  text('plan_code', 'Code of the plan.'),
  text('name', 'Name of the plan.'),
]);

export const addon: AvroRecordSchema = record('Addon', 'An add-on sold with plans (GET /addons).', [
  ...ids('addon_code', 'addon'),
  text('name', 'Addon name.'),
  optionalText('description', 'Description (may be empty).'),
  optionalText('unit_name', 'Unit the price is for.'),
  text('pricing_scheme', 'unit, volume, tier or package.'),
  optional(
    'price_brackets',
    arrayOf(priceBracket),
    'Price per quantity range (one open range for unit pricing).',
  ),
  text('type', 'recurring or one_time.'),
  optionalText('interval_unit', 'monthly or yearly for recurring addons; null for one-time ones.'),
  required('applicable_to_all_plans', 'boolean', 'True when every plan may include the addon.'),
  optional('plans', arrayOf(planRef), 'Plans the addon is limited to (empty when applicable to all).'),
  text('product_id', 'Product the addon belongs to.'),
  text('status', 'active or inactive.'),
  optionalText('tax_id', 'Tax applied to the addon.'),
  created(),
  updated('updated_time'),
]);

export const coupon: AvroRecordSchema = record('Coupon', 'A discount code (GET /coupons).', [
  ...ids('coupon_code', 'coupon'),
  text('name', 'Coupon name.'),
  optionalText('description', 'Description (may be empty).'),
  text('type', 'one_time, forever or duration.'),
  optional('duration', 'long', 'Number of billing cycles the discount lasts, for type duration.'),
  text('discount_by', 'flat or percentage.'),
  required('discount_value', 'double', 'Percent off, or amount off in major currency units.'),
  text('product_id', 'Product the coupon applies to.'),
  optional('max_redemption', 'long', 'How many times it can be redeemed; null when unlimited.'),
  required('redemption_count', 'long', 'How many times it was redeemed.'),
  optionalDate('expiry_at', 'Last day it can be redeemed; null when it never expires.'),
  optionalText('apply_to_plans', 'all, select or none.'),
  optionalText('apply_to_addons', 'all, recurring, select or none.'),
  text('status', 'active, expired, ...'),
  created(),
  updated('updated_time'),
]);

export const tax: AvroRecordSchema = record('Tax', 'A tax rate (GET /settings/taxes).', [
  ...ids('tax_id', 'tax'),
  text('tax_name', 'Tax name.'),
  required('tax_percentage', 'double', 'Rate in percent.'),
  text('tax_type', 'tax or compound_tax.'),
  optionalText('tax_authority_name', 'Authority the tax is paid to.'),
  required('is_default_tax', 'boolean', 'True for the organisation default tax.'),
  required('is_editable', 'boolean', 'False when the tax is locked.'),
  text('status', 'active or inactive.'),
  created(),
  updated('updated_time'),
]);
