from . import (
    cycle_count_account_settings,
    cycle_count_adjustment,
    cycle_count_adjustment_line,
    cycle_count_readiness,
    res_company,
    res_config_settings,
    stock_move,
)
