// biome-ignore-all lint/complexity/useLiteralKeys: dlt.secrets["key"] is the seed's own spelling
/**
 * The billing seed config, verbatim: the same keys and values as the seed's Python
 * `rest_api_source({...})` block, with `dlt.secrets[...]` as core's secret references.
 * `billingSource()` builds on it; this constant stays the untouched original.
 */
import { dlt, type RestApiConfig } from '@siphon/core';

// The seed's own text: dlt.secrets["key"] and quoted keys as in the Python block.
// biome-ignore format: kept byte for byte as the seed writes it
export const billingSeedConfig: RestApiConfig = {
    "client": {
        "base_url": "https://api.example.com",
        "auth": {
            "type": "oauth2",
            "client_id": dlt.secrets["client_id"],
            "client_secret": dlt.secrets["client_secret"],
            "refresh_token": dlt.secrets["refresh_token"],
            "token_url": "https://accounts.example.com/oauth/v2/token"
        }
    },
    "resource_defaults": {
        "primary_key": "id",
        "write_disposition": "merge"
    },
    "resources": [
        {
            "name": "products",
            "endpoint": {
                "path": "/products",
                "data_selector": "products",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "plans",
            "endpoint": {
                "path": "/plans",
                "data_selector": "plans",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "addons",
            "endpoint": {
                "path": "/addons",
                "data_selector": "addons",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "coupons",
            "endpoint": {
                "path": "/coupons",
                "data_selector": "coupons",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "customers",
            "endpoint": {
                "path": "/customers",
                "data_selector": "customers",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "quotes",
            "endpoint": {
                "path": "/estimates",
                "data_selector": "estimates",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "invoices",
            "endpoint": {
                "path": "/invoices",
                "data_selector": "invoices",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "expenses",
            "endpoint": {
                "path": "/expenses",
                "data_selector": "expenses",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "subscriptions",
            "endpoint": {
                "path": "/subscriptions",
                "data_selector": "subscriptions",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "taxes",
            "endpoint": {
                "path": "/settings/taxes",
                "data_selector": "taxes",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "transactions",
            "endpoint": {
                "path": "/transactions",
                "data_selector": "transactions",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        },
        {
            "name": "recurring_expenses",
            "endpoint": {
                "path": "/recurringexpenses",
                "data_selector": "recurring_expenses",
                "paginator": {
                    "type": "page_number",
                    "page_param": "page",
                    "limit_param": "per_page",
                    "limit": 200
                }
            }
        }
    ]
};
