from . import cycle_count_abc_profile, cycle_count_adjustment, cycle_count_rule
