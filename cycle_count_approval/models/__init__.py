from . import cycle_count_adjustment
from . import cycle_count_adjustment_line
from . import cycle_count_task
from . import tier_definition
from . import tier_review
