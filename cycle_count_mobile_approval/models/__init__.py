from . import cycle_count_api
