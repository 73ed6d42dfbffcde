from . import (
    test_abc,
    test_access,
    test_counting,
    test_events,
    test_jobs,
    test_planning,
    test_planner_hook,
    test_rules,
    test_scheduler,
    test_task_lifecycle,
    test_tour,
)
