from . import (
    cycle_count_adjustment,
    cycle_count_adjustment_line,
    cycle_count_task,
    tier_definition,
    tier_review,
)
