from . import (
    test_abc,
    test_access,
    test_blind_outcome,
    test_backend_tour,
    test_counting,
    test_events,
    test_jobs,
    test_planning,
    test_quant_request,
    test_readiness,
    test_planner_hook,
    test_rules,
    test_scheduler,
    test_task_lifecycle,
    test_tour,
)
from . import test_one_open_count
