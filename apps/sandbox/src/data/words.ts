/** Small vocabularies for plausible fake data. */
export const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Mateo',
  'Sofia',
  'Lucas',
  'Mia',
  'Arjun',
  'Priya',
  'Chen',
  'Yuki',
  'Amara',
  'Kwame',
  'Ingrid',
  'Lars',
  'Fatima',
  'Omar',
  'Elena',
  'Diego',
  'Hana',
  'Tomasz',
  'Chloe',
  'Rafael',
  'Aisha',
  'Jonas',
  'Leila',
  'Marco',
  'Nadia',
  'Samuel',
  'Zoe',
] as const;

export const LAST_NAMES = [
  'Smith',
  'Garcia',
  'Kumar',
  'Nguyen',
  'Müller',
  'Rossi',
  'Tanaka',
  'Okafor',
  'Johansson',
  'Kowalski',
  'Silva',
  'Martin',
  'Dubois',
  'Haddad',
  'Chen',
  'Patel',
  'Fernández',
  'Novak',
  'Brown',
  'Wilson',
  'Lee',
  "O'Brien",
  'Schmidt',
  'Ivanova',
  'Costa',
  'Ahmed',
  'Moreau',
  'Larsen',
] as const;

export const COMPANY_WORDS = [
  'Acme',
  'Northwind',
  'Bluebird',
  'Granite',
  'Evergreen',
  'Summit',
  'Harbor',
  'Pioneer',
  'Lumen',
  'Quarry',
  'Cobalt',
  'Meridian',
  'Juniper',
  'Atlas',
  'Beacon',
  'Cedar',
  'Falcon',
  'Orchid',
  'Redwood',
  'Vertex',
] as const;

export const COMPANY_SUFFIXES = [
  'Inc',
  'LLC',
  'Ltd',
  'GmbH',
  'Labs',
  'Group',
  'Co',
  'Studio',
  'Systems',
] as const;

export const SALUTATIONS = ['Mr.', 'Ms.', 'Mrs.', 'Dr.', ''] as const;

export interface Place {
  city: string;
  state: string;
  zip: string;
  country: string;
  countryCode: string;
  currency: string;
  timezone: string;
}

export const PLACES: readonly Place[] = [
  {
    city: 'Phoenix',
    state: 'Arizona',
    zip: '85004',
    country: 'U.S.A',
    countryCode: 'US',
    currency: 'USD',
    timezone: 'America/Phoenix',
  },
  {
    city: 'Austin',
    state: 'Texas',
    zip: '78701',
    country: 'U.S.A',
    countryCode: 'US',
    currency: 'USD',
    timezone: 'America/Chicago',
  },
  {
    city: 'Seattle',
    state: 'Washington',
    zip: '98101',
    country: 'U.S.A',
    countryCode: 'US',
    currency: 'USD',
    timezone: 'America/Los_Angeles',
  },
  {
    city: 'Toronto',
    state: 'Ontario',
    zip: 'M5H 2N2',
    country: 'Canada',
    countryCode: 'CA',
    currency: 'CAD',
    timezone: 'America/Toronto',
  },
  {
    city: 'London',
    state: 'England',
    zip: 'EC1A 1BB',
    country: 'United Kingdom',
    countryCode: 'GB',
    currency: 'GBP',
    timezone: 'Europe/London',
  },
  {
    city: 'Berlin',
    state: 'Berlin',
    zip: '10115',
    country: 'Germany',
    countryCode: 'DE',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
  },
  {
    city: 'Paris',
    state: 'Île-de-France',
    zip: '75001',
    country: 'France',
    countryCode: 'FR',
    currency: 'EUR',
    timezone: 'Europe/Paris',
  },
  {
    city: 'Chennai',
    state: 'Tamil Nadu',
    zip: '600001',
    country: 'India',
    countryCode: 'IN',
    currency: 'INR',
    timezone: 'Asia/Kolkata',
  },
  {
    city: 'Sydney',
    state: 'New South Wales',
    zip: '2000',
    country: 'Australia',
    countryCode: 'AU',
    currency: 'AUD',
    timezone: 'Australia/Sydney',
  },
  {
    city: 'Tokyo',
    state: 'Tokyo',
    zip: '100-0001',
    country: 'Japan',
    countryCode: 'JP',
    currency: 'JPY',
    timezone: 'Asia/Tokyo',
  },
];

export const STREETS = [
  'Market Street',
  'Main Street',
  'Elm Avenue',
  'Harbor Road',
  'Station Lane',
  'King Street',
  'Oak Drive',
  'Mill Road',
  'Park Avenue',
  'Church Street',
  'Rue de Rivoli',
  'Hauptstraße',
] as const;

export const PRODUCT_NOUNS = [
  'Analytics',
  'Backup',
  'CRM',
  'Helpdesk',
  'Hosting',
  'Monitoring',
  'Payroll',
  'Storage',
  'Mail',
  'Forms',
  'Signal',
  'Pipeline',
  'Vault',
  'Insights',
  'Chat',
  'Scheduler',
] as const;

export const TIERS = ['Starter', 'Basic', 'Standard', 'Professional', 'Premium', 'Enterprise'] as const;

export const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = {
  USD: '$',
  CAD: 'C$',
  GBP: '£',
  EUR: '€',
  INR: '₹',
  AUD: 'A$',
  JPY: '¥',
};

export const EXPENSE_ACCOUNTS = [
  'Office Supplies',
  'Travel Expense',
  'Rent Expense',
  'IT and Internet Expenses',
  'Advertising And Marketing',
  'Meals and Entertainment',
  'Telephone Expense',
  'Consultant Expense',
] as const;

export const PAID_THROUGH = [
  'Petty Cash',
  'Undeposited Funds',
  'Business Checking',
  'Company Credit Card',
] as const;

export const VENDORS = [
  'Staples',
  'Amazon Web Services',
  'Delta Air Lines',
  'WeWork',
  'Comcast',
  'Google Ads',
] as const;
