from . import (
    comment_wizard,
    cycle_count_adjustment,
    cycle_count_adjustment_decision,
    cycle_count_adjustment_line,
    cycle_count_line,
    cycle_count_task,
    res_company,
    res_config_settings,
    stock_move,
    stock_quant,
    tier_definition,
    tier_review,
)
