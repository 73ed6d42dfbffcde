from . import cycle_count_adjustment, res_company, res_config_settings, stock_move
