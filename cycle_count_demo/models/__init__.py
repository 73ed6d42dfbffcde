from . import cycle_count_demo
