from . import (
    cycle_count_line,
    cycle_count_planner,
    cycle_count_reason,
    cycle_count_rule,
    cycle_count_task,
)
