from . import cycle_count_line, cycle_count_receipt, cycle_count_task, ir_http
