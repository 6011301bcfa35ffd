"""The peer of scenario 6: dlt's own rest_api source, given the billing seed config, writing one
resource to dlt's local filesystem destination as jsonl.

The config below is the seed (/work/shared/seeds/billing-source.md) as written, except where dlt
rejects it or cannot run it; `adapt_for_dlt` makes each such change and says why. The harness
(bench/src/peer.ts) passes the sandbox's URLs and credentials in the environment and reads one JSON
line from stdout.

Environment: BENCH_BASE_URL, BENCH_TOKEN_URL, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN (read by
dlt.secrets, as in the seed), BENCH_RESOURCE (default invoices), BENCH_OUT_DIR, BENCH_USAGE_FILE.
"""

import copy
import json
import os
import resource
import sys
import time

# dlt must not try to phone home: the machine has no network but the package registries.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")

import dlt  # noqa: E402
from dlt.sources.rest_api import rest_api_source  # noqa: E402


def page_number(path: str, selector: str) -> dict:
    return {
        "path": path,
        "data_selector": selector,
        "paginator": {"type": "page_number", "page_param": "page", "limit_param": "per_page", "limit": 200},
    }


RESOURCES = [
    ("products", "/products", "products"),
    ("plans", "/plans", "plans"),
    ("addons", "/addons", "addons"),
    ("coupons", "/coupons", "coupons"),
    ("customers", "/customers", "customers"),
    ("quotes", "/estimates", "estimates"),
    ("invoices", "/invoices", "invoices"),
    ("expenses", "/expenses", "expenses"),
    ("subscriptions", "/subscriptions", "subscriptions"),
    ("taxes", "/settings/taxes", "taxes"),
    ("transactions", "/transactions", "transactions"),
    ("recurring_expenses", "/recurringexpenses", "recurring_expenses"),
]


def seed_config(base_url: str, token_url: str) -> dict:
    """The seed's config; only base_url and token_url point at the sandbox instead of example.com."""
    return {
        "client": {
            "base_url": base_url,
            "auth": {
                "type": "oauth2",
                "client_id": dlt.secrets["client_id"],
                "client_secret": dlt.secrets["client_secret"],
                "refresh_token": dlt.secrets["refresh_token"],
                "token_url": token_url,
            },
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": [{"name": name, "endpoint": page_number(path, selector)} for name, path, selector in RESOURCES],
    }


# Each adaptation, as reported in bench/README.md.
ADAPTATIONS = [
    'auth: dlt has no "oauth2" type (it rejects it: known types are bearer, api_key, http_basic, '
    'oauth2_client_credentials). Used "oauth2_client_credentials" with access_token_url = token_url '
    "and access_token_request_data = {grant_type: refresh_token, refresh_token} (the same token request).",
    "paginator: dlt's page_number paginator rejects limit_param and limit (TypeError, unexpected keyword). "
    "The page size moved to endpoint.params = {per_page: 200}.",
    "paginator: dlt's page_number starts at page 0 (base_page) and expects a total at `total`; the API "
    "starts at 1 and answers 400 to page=0, and has no total. Added base_page: 1, total_path: None, "
    'has_more_path: "page_context.has_more_page" (the stop condition Siphon reads from the same field).',
]


def adapt_for_dlt(config: dict) -> dict:
    adapted = copy.deepcopy(config)
    auth = adapted["client"]["auth"]
    adapted["client"]["auth"] = {
        "type": "oauth2_client_credentials",
        "access_token_url": auth["token_url"],
        "client_id": auth["client_id"],
        "client_secret": auth["client_secret"],
        "access_token_request_data": {"grant_type": "refresh_token", "refresh_token": auth["refresh_token"]},
    }
    for res in adapted["resources"]:
        endpoint = res["endpoint"]
        paginator = endpoint["paginator"]
        endpoint["params"] = {paginator.pop("limit_param"): paginator.pop("limit")}
        paginator.update({"base_page": 1, "total_path": None, "has_more_path": "page_context.has_more_page"})
    return adapted


def peak_rss_kib() -> int:
    """VmHWM of this process: getrusage's ru_maxrss carries the parent's peak across fork and exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def usage() -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU includes any worker processes dlt started; peak RSS is this process's own (in KiB).
    return {
        "userCPUTime": round((own.ru_utime + children.ru_utime) * 1e6),
        "systemCPUTime": round((own.ru_stime + children.ru_stime) * 1e6),
        "maxRSS": peak_rss_kib(),
    }


def main() -> int:
    base_url = os.environ["BENCH_BASE_URL"]
    token_url = os.environ["BENCH_TOKEN_URL"]
    name = os.environ.get("BENCH_RESOURCE", "invoices")
    out_dir = os.environ["BENCH_OUT_DIR"]

    source = rest_api_source(adapt_for_dlt(seed_config(base_url, token_url))).with_resources(name)
    pipeline = dlt.pipeline(
        pipeline_name="bench_billing",
        pipelines_dir=os.path.join(out_dir, "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=os.path.join(out_dir, "data")),
        dataset_name="billing",
    )
    started = time.perf_counter()
    pipeline.run(source, loader_file_format="jsonl")
    wall = time.perf_counter() - started

    trace = pipeline.last_trace
    steps = {step.step: round((step.finished_at - step.started_at).total_seconds(), 3) for step in trace.steps}
    rows = pipeline.last_trace.last_normalize_info.row_counts.get(name, 0)
    if "BENCH_USAGE_FILE" in os.environ:
        with open(os.environ["BENCH_USAGE_FILE"], "w") as handle:
            json.dump(usage(), handle)
    print(
        json.dumps(
            {
                "records": rows,
                "pipelineSeconds": round(wall, 3),
                "steps": steps,
                "dlt": dlt.__version__,
                "adaptations": ADAPTATIONS,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
