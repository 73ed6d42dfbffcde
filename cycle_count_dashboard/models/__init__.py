from . import cycle_count_task
