from . import cycle_count_year_end_pack
