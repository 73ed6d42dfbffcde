from . import (
    cycle_count_line,
    cycle_count_planner,
    cycle_count_proposal,
    cycle_count_task,
    product_template,
)
