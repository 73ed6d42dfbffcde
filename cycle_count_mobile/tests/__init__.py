from . import test_api, test_api_endpoints, test_counts_exactly_once
