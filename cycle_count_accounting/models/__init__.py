from . import (
    account_move,
    cycle_count_account_settings,
    cycle_count_account_settings_reason,
    cycle_count_adjustment,
    cycle_count_adjustment_line,
    cycle_count_posting_engine,
    cycle_count_readiness,
    cycle_count_reason,
    res_company,
    res_config_settings,
    stock_move,
    stock_valuation_layer,
    stock_warehouse,
)

# Last: its SQL view reads the columns the models above add.
from . import cycle_count_suspense_report
