from . import (
    account_move,
    cycle_count_account_settings,
    cycle_count_adjustment,
    cycle_count_adjustment_line,
    cycle_count_readiness,
    cycle_count_reason,
    res_company,
    res_config_settings,
    stock_move,
)

# Last: its SQL view reads the columns the models above add.
from . import cycle_count_suspense_report
