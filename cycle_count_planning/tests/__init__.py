from . import (
    test_abc,
    test_access,
    test_counting,
    test_events,
    test_planning,
    test_quant_request,
    test_readiness,
    test_planner_hook,
    test_rules,
    test_scheduler,
    test_task_lifecycle,
    test_tour,
)
