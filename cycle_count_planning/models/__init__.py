from . import cycle_count_reason
from . import cycle_count_rule
from . import cycle_count_task
from . import cycle_count_line
from . import cycle_count_planner
