"""Settings for ``bench.api``: the product's, plus the bench's plain views' URLs."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
# The bench measures the API, not the throttle's refusals.
API_THROTTLE_RATES = {"anon": "1000000/minute", "user": "1000000/minute"}
