from . import cycle_count_demo
from . import cycle_count_task
