from . import (
    comment_wizard,
    cycle_count_approval_policy,
    cycle_count_adjustment,
    cycle_count_adjustment_line,
    cycle_count_line,
    cycle_count_task,
    stock_move,
    stock_quant,
    tier_definition,
    tier_review,
)
