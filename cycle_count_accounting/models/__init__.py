from . import res_company
from . import res_config_settings
from . import stock_move
from . import cycle_count_adjustment
