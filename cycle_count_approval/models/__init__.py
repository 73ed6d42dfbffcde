from . import (
    comment_wizard,
    cycle_count_approval_policy,
    cycle_count_adjustment,
    cycle_count_adjustment_decision,
    cycle_count_adjustment_count,
    cycle_count_adjustment_line,
    cycle_count_approval_delegation,
    cycle_count_line,
    cycle_count_recount_wizard,
    cycle_count_task,
    cycle_count_tolerance,
    res_company,
    res_config_settings,
    mail_activity,
    stock_move,
    stock_quant,
    tier_definition,
    tier_review,
    tier_validation_forward_wizard,
)

# isort: split
# The durations view reads the tables above: its model is set up after them.
from . import cycle_count_approval_duration
