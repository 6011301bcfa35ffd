// biome-ignore-all lint/complexity/useLiteralKeys: dlt.secrets["key"] is the seed's own spelling
/**
 * The analytics seed config, verbatim: the same keys and values as the seed's Python
 * `rest_api_source({...})` block, with `dlt.secrets[...]` as core's secret references.
 * `analyticsSource()` builds on it; this constant stays the untouched original.
 */
import { dlt, type RestApiConfig } from '@siphon/core';

// The seed's own text: dlt.secrets["key"] and quoted keys as in the Python block.
// biome-ignore format: kept byte for byte as the seed writes it
export const analyticsSeedConfig: RestApiConfig = {
    "client": {
        "base_url": "https://api.example.com",
        "auth": {
            "type": "bearer",
            "token": dlt.secrets["api_key"]
        }
    },
    "resource_defaults": {
        "primary_key": "id",
        "write_disposition": "merge"
    },
    "resources": [
        {
            "name": "metrics",
            "endpoint": {
                "path": "/v1/metrics",
                "data_selector": "metrics",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "plans",
            "endpoint": {
                "path": "/v1/plans",
                "data_selector": "plans",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "coupons",
            "endpoint": {
                "path": "/v1/coupons",
                "data_selector": "coupons",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "add_ons",
            "endpoint": {
                "path": "/v1/add_ons",
                "data_selector": "add_ons",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "invoices",
            "endpoint": {
                "path": "/v1/invoices",
                "data_selector": "invoices",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "customers",
            "endpoint": {
                "path": "/v1/customers",
                "data_selector": "customers",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "subscriptions",
            "endpoint": {
                "path": "/v1/subscriptions",
                "data_selector": "subscriptions",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "wallets",
            "endpoint": {
                "path": "/v1/wallets",
                "data_selector": "wallets",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "customer_usage",
            "endpoint": {
                "path": "/v1/customer_usage",
                "data_selector": "customer_usage",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "fees",
            "endpoint": {
                "path": "/v1/fees",
                "data_selector": "fees",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        },
        {
            "name": "customer_usage_past",
            "endpoint": {
                "path": "/v1/customer_usage_past",
                "data_selector": "usage_periods",
                "paginator": {
                    "type": "cursor",
                    "limit": 100,
                    "cursor_param": "page",
                    "cursor_path": "response.meta.next_page"
                }
            }
        }
    ]
};
