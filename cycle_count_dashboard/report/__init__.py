from . import cycle_count_report_fact
from . import cycle_count_report_line_fact
from . import cycle_count_accuracy_report
from . import cycle_count_plan_report
from . import cycle_count_productivity_report
