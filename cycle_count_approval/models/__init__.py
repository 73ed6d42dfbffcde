from . import (
    comment_wizard,
    cycle_count_adjustment,
    cycle_count_adjustment_line,
    cycle_count_line,
    cycle_count_task,
    stock_move,
    tier_definition,
    tier_review,
)
