/**
 * Record builders for the billing API (modelled on Zoho Billing v1). Every record of a
 * resource has the same keys in the same order; absent values are null, never missing.
 */
import {
  addonIdentity,
  BILLING_CODES,
  couponIdentity,
  customerIdentity,
  planIdentity,
  productIdentity,
  taxIdentity,
} from './billing-identities.js';
import {
  accountId,
  address,
  type Builder,
  customFields,
  lineItems,
  PAYMENT_TERMS,
  revisionRng,
} from './billing-parts.js';
import { billingId } from './ids.js';
import { type JsonRecord, round2 } from './spec.js';
import { billingDate, billingDateTime, DAY } from './time.js';
import { CURRENCY_SYMBOLS, EXPENSE_ACCOUNTS, PAID_THROUGH, VENDORS } from './words.js';

const products: Builder = ({ id, rng, seed, index, created, updated }) => {
  const product = productIdentity(seed, index);
  return {
    id,
    product_id: id,
    name: product.name,
    description: rng.chance(0.7) ? `${product.name} for growing teams` : '',
    email_ids: rng.chance(0.5) ? 'billing@example.com' : '',
    redirect_url: rng.chance(0.3) ? `https://example.com/welcome/${index}` : null,
    status: rng.chance(0.9) ? 'active' : 'inactive',
    created_time: billingDateTime(created),
    updated_time: billingDateTime(updated),
  };
};

const plans: Builder = ({ id, rng, seed, index, created, updated, world }) => {
  const plan = planIdentity(seed, index, world.sizeOf('products'));
  const taxed = rng.chance(0.5);
  const taxIndex = world.pickIndex('taxes', rng);
  const tax = taxIdentity(seed, taxIndex);
  return {
    id,
    plan_code: id,
    name: plan.name,
    description: rng.chance(0.6)
      ? `${plan.tier} tier, billed ${plan.intervalUnit === 'months' ? 'monthly' : 'yearly'}`
      : '',
    status: rng.chance(0.85) ? 'active' : 'inactive',
    product_id: world.idOf('products', plan.productIndex),
    product_type: 'service',
    recurring_price: plan.price,
    unit: rng.pick(['unit', 'user', 'seat']),
    interval: 1,
    interval_unit: plan.intervalUnit,
    billing_cycles: rng.chance(0.8) ? -1 : rng.pick([3, 6, 12, 24]),
    trial_period: plan.trialDays,
    setup_fee: plan.setupFee,
    account_id: accountId('Sales'),
    account: 'Sales',
    tax_id: taxed ? world.idOf('taxes', taxIndex) : null,
    tax_name: taxed ? tax.name : '',
    tax_percentage: taxed ? tax.percentage : 0,
    custom_fields: customFields(rng),
    created_time: billingDateTime(created),
    updated_time: billingDateTime(updated),
  };
};

const addons: Builder = ({ id, rng, seed, index, created, updated, world }) => {
  const addon = addonIdentity(seed, index);
  const scheme = rng.pick(['unit', 'unit', 'volume', 'tier', 'package']);
  const brackets =
    scheme === 'unit'
      ? [{ start_quantity: 1, end_quantity: null, price: addon.price }]
      : [
          { start_quantity: 1, end_quantity: 10, price: addon.price },
          { start_quantity: 11, end_quantity: 50, price: round2(addon.price * 0.8) },
          { start_quantity: 51, end_quantity: null, price: round2(addon.price * 0.6) },
        ];
  const allPlans = rng.chance(0.5);
  const planRefs: JsonRecord[] = [];
  if (!allPlans) {
    const n = rng.int(1, 3);
    for (let i = 0; i < n; i++) {
      const planIndex = world.pickIndex('plans', rng);
      planRefs.push({
        plan_code: world.idOf('plans', planIndex),
        name: planIdentity(seed, planIndex, world.sizeOf('products')).name,
      });
    }
  }
  return {
    id,
    addon_code: id,
    name: addon.name,
    description: rng.chance(0.5) ? `${addon.name}, priced per ${addon.unitName}` : '',
    unit_name: addon.unitName,
    pricing_scheme: scheme,
    price_brackets: brackets,
    type: addon.type,
    interval_unit: addon.type === 'recurring' ? rng.pick(['monthly', 'yearly']) : null,
    applicable_to_all_plans: allPlans,
    plans: planRefs,
    product_id: world.idOf('products', world.pickIndex('products', rng)),
    status: rng.chance(0.9) ? 'active' : 'inactive',
    tax_id: rng.chance(0.4) ? world.idOf('taxes', world.pickIndex('taxes', rng)) : null,
    created_time: billingDateTime(created),
    updated_time: billingDateTime(updated),
  };
};

const coupons: Builder = ({ id, rng, seed, index, created, updated, world }) => {
  const coupon = couponIdentity(seed, index);
  const type = rng.pick(['one_time', 'forever', 'duration'] as const);
  const limited = rng.chance(0.4);
  const expires = rng.chance(0.5);
  const maxRedemption = limited ? rng.pick([10, 50, 100, 500]) : null;
  return {
    id,
    coupon_code: id,
    name: coupon.name,
    description: rng.chance(0.5) ? `Promotion: ${coupon.name}` : '',
    type,
    duration: type === 'duration' ? rng.pick([3, 6, 12]) : null,
    discount_by: coupon.discountBy,
    discount_value: coupon.discountValue,
    product_id: world.idOf('products', world.pickIndex('products', rng)),
    max_redemption: maxRedemption,
    redemption_count: rng.int(0, maxRedemption ?? 1000),
    expiry_at: expires ? billingDate(created + rng.int(30, 365) * DAY) : null,
    apply_to_plans: rng.pick(['all', 'select', 'none']),
    apply_to_addons: rng.pick(['all', 'recurring', 'select', 'none']),
    status: expires && rng.chance(0.3) ? 'expired' : 'active',
    created_time: billingDateTime(created),
    updated_time: billingDateTime(updated),
  };
};

const customers: Builder = (context) => {
  const { id, rng, seed, index, created, updated, version } = context;
  const who = customerIdentity(seed, index);
  const terms = rng.pick(PAYMENT_TERMS);
  let outstanding = rng.chance(0.6) ? 0 : rng.money(10, 5000);
  let status = rng.chance(0.92) ? 'active' : 'inactive';
  if (version > 0) {
    const revision = revisionRng(context);
    outstanding = revision.chance(0.5) ? 0 : revision.money(10, 5000);
    status = revision.chance(0.9) ? 'active' : 'inactive';
  }
  return {
    id,
    customer_id: id,
    display_name: who.displayName,
    salutation: who.salutation,
    first_name: who.firstName,
    last_name: who.lastName,
    company_name: who.company,
    email: who.email,
    phone: who.phone,
    mobile: rng.chance(0.4)
      ? `+1-${rng.int(200, 989)}-555-${String(rng.int(0, 9999)).padStart(4, '0')}`
      : null,
    website: who.company && rng.chance(0.6) ? `https://www.${who.email.split('@')[1]}` : null,
    status,
    currency_code: who.currency,
    currency_symbol: CURRENCY_SYMBOLS[who.currency] ?? who.currency,
    outstanding_receivable_amount: outstanding,
    unused_credits_receivable_amount: rng.chance(0.9) ? 0 : rng.money(5, 200),
    payment_terms: terms.days,
    payment_terms_label: terms.label,
    is_portal_enabled: rng.chance(0.5),
    billing_address: address(who),
    shipping_address: rng.chance(0.6) ? address(who) : null,
    custom_fields: customFields(rng),
    created_time: billingDateTime(created),
    updated_time: billingDateTime(updated),
  };
};

const quotes: Builder = (context) => {
  const { id, rng, seed, index, created, updated, world } = context;
  const customerIndex = world.pickIndex('customers', rng);
  const who = customerIdentity(seed, customerIndex);
  const lines = lineItems(context, BILLING_CODES.quoteLines);
  return {
    id,
    estimate_id: id,
    estimate_number: `EST-${String(index + 1).padStart(6, '0')}`,
    reference_number: rng.chance(0.3) ? `PO-${rng.int(1000, 99999)}` : null,
    date: billingDate(created),
    expiry_date: billingDate(created + 30 * DAY),
    status: rng.pick(['draft', 'sent', 'accepted', 'declined', 'expired', 'invoiced']),
    customer_id: world.idOf('customers', customerIndex),
    customer_name: who.displayName,
    currency_code: who.currency,
    exchange_rate: who.currency === 'USD' ? 1 : rng.money(0.5, 1.5),
    line_items: lines.items,
    sub_total: lines.subTotal,
    tax_total: lines.taxTotal,
    total: round2(lines.subTotal + lines.taxTotal),
    notes: rng.chance(0.4) ? 'Looking forward to your business.' : null,
    terms: rng.chance(0.3) ? 'Valid for 30 days.' : null,
    billing_address: address(who),
    custom_fields: customFields(rng),
    created_time: billingDateTime(created),
    last_modified_time: billingDateTime(updated),
  };
};

const invoices: Builder = (context) => {
  const { id, rng, seed, index, created, updated, world, version } = context;
  const customerIndex = world.pickIndex('customers', rng);
  const who = customerIdentity(seed, customerIndex);
  const terms = rng.pick(PAYMENT_TERMS);
  const lines = lineItems(context, BILLING_CODES.invoiceLines);
  const total = round2(lines.subTotal + lines.taxTotal);
  let status = rng.pick(['paid', 'paid', 'paid', 'sent', 'overdue', 'partially_paid', 'draft', 'void']);
  if (version > 0) status = revisionRng(context).pick(['paid', 'paid', 'void', 'partially_paid']);
  const credits = status === 'paid' && rng.chance(0.1) ? round2(total * 0.1) : 0;
  const paid =
    status === 'paid' ? round2(total - credits) : status === 'partially_paid' ? round2(total / 2) : 0;
  const balance = status === 'void' ? 0 : round2(total - paid - credits);
  return {
    id,
    invoice_id: id,
    invoice_number: `INV-${String(index + 1).padStart(6, '0')}`,
    reference_number: rng.chance(0.3) ? `PO-${rng.int(1000, 99999)}` : null,
    date: billingDate(created),
    due_date: billingDate(created + terms.days * DAY),
    status,
    customer_id: world.idOf('customers', customerIndex),
    customer_name: who.displayName,
    email: who.email,
    subscription_id: rng.chance(0.8)
      ? world.idOf('subscriptions', world.pickIndex('subscriptions', rng))
      : null,
    currency_code: who.currency,
    currency_symbol: CURRENCY_SYMBOLS[who.currency] ?? who.currency,
    exchange_rate: who.currency === 'USD' ? 1 : rng.money(0.5, 1.5),
    payment_terms: terms.days,
    payment_terms_label: terms.label,
    line_items: lines.items,
    sub_total: lines.subTotal,
    tax_total: lines.taxTotal,
    total,
    payment_made: paid,
    credits_applied: credits,
    write_off_amount: 0,
    balance,
    billing_address: address(who),
    shipping_address: rng.chance(0.5) ? address(who) : null,
    custom_fields: customFields(rng),
    created_time: billingDateTime(created),
    updated_time: billingDateTime(updated),
  };
};

const expenses: Builder = ({ id, rng, seed, created, updated, world }) => {
  const account = rng.pick(EXPENSE_ACCOUNTS);
  const paidThrough = rng.pick(PAID_THROUGH);
  const billable = rng.chance(0.3);
  const customerIndex = world.pickIndex('customers', rng);
  const hasVendor = rng.chance(0.7);
  const vendor = rng.pick(VENDORS);
  const amount = rng.money(5, 2500);
  const taxed = rng.chance(0.4);
  const taxIndex = world.pickIndex('taxes', rng);
  const tax = taxIdentity(seed, taxIndex);
  const taxAmount = taxed ? round2((amount * tax.percentage) / 100) : 0;
  return {
    id,
    expense_id: id,
    date: billingDate(created),
    account_id: accountId(account),
    account_name: account,
    paid_through_account_id: accountId(paidThrough),
    paid_through_account_name: paidThrough,
    description: rng.chance(0.7) ? `${account} - ${vendor}` : '',
    currency_code: 'USD',
    exchange_rate: 1,
    amount,
    tax_id: taxed ? world.idOf('taxes', taxIndex) : null,
    tax_name: taxed ? tax.name : null,
    tax_amount: taxAmount,
    total: round2(amount + taxAmount),
    is_billable: billable,
    reference_number: rng.chance(0.4) ? `RCPT-${rng.int(10000, 99999)}` : null,
    customer_id: billable ? world.idOf('customers', customerIndex) : null,
    customer_name: billable ? customerIdentity(seed, customerIndex).displayName : null,
    vendor_id: hasVendor ? billingId(BILLING_CODES.vendors, VENDORS.indexOf(vendor)) : null,
    vendor_name: hasVendor ? vendor : null,
    status: billable ? rng.pick(['unbilled', 'invoiced']) : rng.pick(['nonbillable', 'reimbursed']),
    receipt_name: rng.chance(0.5) ? `receipt-${id}.pdf` : null,
    created_time: billingDateTime(created),
    last_modified_time: billingDateTime(updated),
  };
};

const subscriptions: Builder = (context) => {
  const { id, rng, seed, index, created, updated, world, version } = context;
  const customerIndex = world.pickIndex('customers', rng);
  const who = customerIdentity(seed, customerIndex);
  const planIndex = world.pickIndex('plans', rng);
  const plan = planIdentity(seed, planIndex, world.sizeOf('products'));
  const addonCount = rng.int(0, 2);
  const addonLines: JsonRecord[] = [];
  let amount = plan.price;
  for (let i = 0; i < addonCount; i++) {
    const addonIndex = world.pickIndex('addons', rng);
    const addon = addonIdentity(seed, addonIndex);
    const quantity = rng.int(1, 10);
    amount += addon.price * quantity;
    addonLines.push({
      addon_code: world.idOf('addons', addonIndex),
      name: addon.name,
      price: addon.price,
      quantity,
    });
  }
  let coupon: JsonRecord | null = null;
  if (rng.chance(0.2)) {
    const couponIndex = world.pickIndex('coupons', rng);
    const c = couponIdentity(seed, couponIndex);
    const discount =
      c.discountBy === 'percentage' ? round2((amount * c.discountValue) / 100) : c.discountValue;
    coupon = { coupon_code: world.idOf('coupons', couponIndex), name: c.name, discount_amount: discount };
  }
  let status = rng.pick(['live', 'live', 'live', 'trial', 'cancelled', 'non_renewing', 'unpaid', 'expired']);
  if (version > 0) status = revisionRng(context).pick(['live', 'cancelled', 'non_renewing']);
  const termDays = plan.intervalUnit === 'months' ? 30 : 365;
  const termStart = created + rng.int(0, 300) * DAY;
  const ended = status === 'cancelled' || status === 'expired';
  return {
    id,
    subscription_id: id,
    subscription_number: `SUB-${String(index + 1).padStart(6, '0')}`,
    name: plan.name,
    status,
    amount: round2(amount),
    sub_total: round2(amount - ((coupon?.discount_amount as number | undefined) ?? 0)),
    interval: 1,
    interval_unit: plan.intervalUnit,
    auto_collect: rng.chance(0.8),
    currency_code: who.currency,
    customer_id: world.idOf('customers', customerIndex),
    customer_name: who.displayName,
    email: who.email,
    plan: {
      plan_code: world.idOf('plans', planIndex),
      name: plan.name,
      price: plan.price,
      quantity: 1,
      setup_fee: plan.setupFee,
      trial_days: plan.trialDays,
    },
    addons: addonLines,
    coupon,
    activated_at: billingDate(created),
    current_term_starts_at: billingDate(termStart),
    current_term_ends_at: billingDate(termStart + termDays * DAY),
    next_billing_at: ended ? null : billingDate(termStart + termDays * DAY),
    expires_at:
      status === 'expired' || status === 'non_renewing' ? billingDate(termStart + termDays * DAY) : null,
    cancelled_at: status === 'cancelled' ? billingDate(termStart + rng.int(1, termDays) * DAY) : null,
    trial_ends_at: status === 'trial' ? billingDate(created + plan.trialDays * DAY) : null,
    reference_id: rng.chance(0.2) ? `CRM-${rng.int(100000, 999999)}` : null,
    custom_fields: customFields(rng),
    created_time: billingDateTime(created),
    updated_time: billingDateTime(updated),
  };
};

const taxes: Builder = ({ id, rng, seed, index, created, updated }) => {
  const tax = taxIdentity(seed, index);
  return {
    id,
    tax_id: id,
    tax_name: tax.name,
    tax_percentage: tax.percentage,
    tax_type: tax.type,
    tax_authority_name: tax.authority,
    is_default_tax: index === 0,
    is_editable: rng.chance(0.9),
    status: rng.chance(0.95) ? 'active' : 'inactive',
    created_time: billingDateTime(created),
    updated_time: billingDateTime(updated),
  };
};

const transactions: Builder = ({ id, rng, seed, created, updated, world }) => {
  const customerIndex = world.pickIndex('customers', rng);
  const who = customerIdentity(seed, customerIndex);
  const type = rng.pick(['payment', 'payment', 'payment', 'refund', 'credit']);
  const online = type === 'payment' && rng.chance(0.6);
  return {
    id,
    transaction_id: id,
    transaction_type: type,
    date: billingDate(created),
    reference_number: rng.chance(0.5) ? `TXN-${rng.int(100000, 999999)}` : null,
    description: `${type === 'payment' ? 'Payment' : type === 'refund' ? 'Refund' : 'Credit'} for ${who.displayName}`,
    customer_id: world.idOf('customers', customerIndex),
    customer_name: who.displayName,
    invoice_id: type === 'credit' ? null : world.idOf('invoices', world.pickIndex('invoices', rng)),
    payment_mode:
      type === 'credit' ? null : rng.pick(['creditcard', 'banktransfer', 'cash', 'check', 'paypal']),
    amount: rng.money(5, 3000),
    currency_code: who.currency,
    status: rng.chance(0.95) ? 'success' : rng.pick(['failure', 'pending']),
    gateway_transaction_id: online ? `ch_${rng.hex(24)}` : null,
    created_time: billingDateTime(created),
    updated_time: billingDateTime(updated),
  };
};

const recurringExpenses: Builder = ({ id, rng, seed, created, updated, world }) => {
  const account = rng.pick(EXPENSE_ACCOUNTS);
  const frequency = rng.pick(['weeks', 'months', 'months', 'years'] as const);
  const status = rng.pick(['active', 'active', 'stopped', 'expired']);
  const billable = rng.chance(0.25);
  const customerIndex = world.pickIndex('customers', rng);
  const amount = rng.money(20, 5000);
  const periodDays = frequency === 'weeks' ? 7 : frequency === 'months' ? 30 : 365;
  const hasRun = rng.chance(0.8);
  return {
    id,
    recurring_expense_id: id,
    recurrence_name: `${account} (${frequency === 'weeks' ? 'weekly' : frequency === 'months' ? 'monthly' : 'yearly'})`,
    recurrence_frequency: frequency,
    repeat_every: rng.pick([1, 1, 1, 2, 3]),
    start_date: billingDate(created),
    end_date: status === 'expired' ? billingDate(created + periodDays * 12 * DAY) : null,
    last_created_date: hasRun ? billingDate(created + periodDays * DAY) : null,
    next_expense_date: status === 'active' ? billingDate(created + periodDays * 2 * DAY) : null,
    account_id: accountId(account),
    account_name: account,
    paid_through_account_name: rng.pick(PAID_THROUGH),
    description: rng.chance(0.5) ? `Recurring ${account.toLowerCase()}` : '',
    currency_code: 'USD',
    amount,
    total: amount,
    is_billable: billable,
    customer_id: billable ? world.idOf('customers', customerIndex) : null,
    customer_name: billable ? customerIdentity(seed, customerIndex).displayName : null,
    vendor_name: rng.chance(0.6) ? rng.pick(VENDORS) : null,
    status,
    created_time: billingDateTime(created),
    last_modified_time: billingDateTime(updated),
  };
};

export const billingBuilders: Readonly<Record<string, Builder>> = {
  products,
  plans,
  addons,
  coupons,
  customers,
  quotes,
  invoices,
  expenses,
  subscriptions,
  taxes,
  transactions,
  recurring_expenses: recurringExpenses,
};
