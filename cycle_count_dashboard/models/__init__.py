from . import cycle_count_proposal, cycle_count_task
