from . import (
    test_api,
    test_api_endpoints,
    test_app_tours,
    test_counts_exactly_once,
    test_device_counts_model,
    test_live_progress,
    test_offline,
    test_openapi,
    test_photos,
    test_shared_device_tours,
    test_sync_records_tour,
)
