from . import cycle_count_task
from . import cycle_count_demo
