/** Who is billed: customers, their subscriptions and their prepaid-credit wallets. */
import type { AvroRecordSchema } from '@siphon/avro';
import { arrayOf, optional, record, required } from '@siphon/avro';
import {
  cents,
  count,
  createdUpdated,
  decimal,
  ids,
  optionalDate,
  optionalText,
  optionalTimestamp,
  text,
  timestamp,
} from './shared.js';

const billingConfiguration = record('BillingConfiguration', 'How the customer is invoiced and charged.', [
  count('invoice_grace_period', 'Days a draft invoice waits before it is finalized.'),
  optionalText('payment_provider', 'stripe, adyen, gocardless, ...; null when none.'),
  optionalText('payment_provider_code', 'Code of the payment provider connection.'),
  optionalText('provider_customer_id', "The customer's id at the payment provider."),
  optionalText('document_locale', 'Language of invoices, e.g. en.'),
]);

const customerMetadata = record('CustomerMetadata', 'A key/value pair attached to a customer.', [
  text('lago_id', 'Metadata id (UUID).'),
  text('key', 'Key.'),
  text('value', 'Value.'),
  required('display_in_invoice', 'boolean', 'True when printed on invoices.'),
  timestamp('created_at', 'When it was added.'),
]);

export const customer: AvroRecordSchema = record('Customer', 'A customer (GET /v1/customers).', [
  ...ids('customer'),
  text('external_id', 'Id in the integrating system.'),
  count('sequential_id', 'Sequence number of the customer.'),
  text('slug', 'Readable identifier, e.g. LAG-000001.'),
  text('name', 'Name.'),
  optionalText('firstname', 'First name.'),
  optionalText('lastname', 'Last name.'),
  optionalText('customer_type', 'company or individual.'),
  optionalText('email', 'Email.'),
  optionalText('address_line1', 'Street line.'),
  optionalText('address_line2', 'Second street line.'),
  optionalText('city', 'City.'),
  optionalText('state', 'State or region.'),
  optionalText('zipcode', 'Postal code.'),
  optionalText('country', 'ISO 3166 alpha-2 country code.'),
  optionalText('currency', 'ISO 4217 currency the customer is billed in.'),
  optionalText('timezone', 'IANA time zone set on the customer.'),
  text('applicable_timezone', 'Time zone in effect (the customer, else the organisation).'),
  optional('net_payment_term', 'long', 'Days allowed for payment; null for the organisation default.'),
  optionalText('phone', 'Phone number.'),
  optionalText('url', 'Website.'),
  optionalText('legal_name', 'Legal name.'),
  optionalText('legal_number', 'Company registration number.'),
  optionalText('tax_identification_number', 'Tax id, e.g. a VAT number.'),
  optionalText('logo_url', 'Logo URL.'),
  required('billing_configuration', billingConfiguration, 'Invoicing and payment settings.'),
  required('metadata', arrayOf(customerMetadata), 'Key/value pairs (possibly none).'),
  ...createdUpdated(),
]);

export const subscription: AvroRecordSchema = record(
  'Subscription',
  'A subscription (GET /v1/subscriptions).',
  [
    ...ids('subscription'),
    text('external_id', 'Id in the integrating system.'),
    text('lago_customer_id', 'Customer subscribed (UUID).'),
    text('external_customer_id', 'External id of that customer.'),
    optionalText('name', 'Name shown on invoices.'),
    text('plan_code', 'Plan subscribed to.'),
    text('status', 'active, pending, terminated or canceled.'),
    text('billing_time', 'calendar or anniversary.'),
    timestamp('subscription_at', 'When the subscription was requested to start.'),
    optionalTimestamp('started_at', 'When it started; null while pending.'),
    optionalTimestamp('ending_at', 'When it is set to end.'),
    optionalTimestamp('trial_ended_at', 'When the trial ended.'),
    optionalTimestamp('terminated_at', 'When it was terminated.'),
    optionalTimestamp('canceled_at', 'When it was canceled.'),
    optionalText('previous_plan_code', 'Plan before the last change.'),
    optionalText('next_plan_code', 'Plan it will move to.'),
    optionalDate('downgrade_plan_date', 'Date of a pending downgrade.'),
    ...createdUpdated(),
  ],
);

export const wallet: AvroRecordSchema = record('Wallet', 'A prepaid-credit wallet (GET /v1/wallets).', [
  ...ids('wallet'),
  text('lago_customer_id', 'Customer owning the wallet (UUID).'),
  text('external_customer_id', 'External id of that customer.'),
  text('status', 'active or terminated.'),
  text('currency', 'ISO 4217 currency of the wallet.'),
  optionalText('name', 'Wallet name.'),
  decimal('rate_amount', 'Price of one credit in major units.'),
  decimal('credits_balance', 'Credits left.'),
  cents('balance_cents', 'Value of the credits left.'),
  decimal('consumed_credits', 'Credits consumed so far.'),
  decimal('credits_ongoing_balance', 'Credits left after current usage.'),
  decimal('credits_ongoing_usage_balance', 'Credits the current usage takes.'),
  cents('ongoing_balance_cents', 'Value left after current usage.'),
  cents('ongoing_usage_balance_cents', 'Value of the current usage.'),
  optionalTimestamp('expiration_at', 'When the credits expire.'),
  optionalTimestamp('last_balance_sync_at', 'When the ongoing balance was last computed.'),
  optionalTimestamp('last_consumed_credit_at', 'When credits were last consumed.'),
  optionalTimestamp('terminated_at', 'When the wallet was terminated.'),
  ...createdUpdated(),
]);
