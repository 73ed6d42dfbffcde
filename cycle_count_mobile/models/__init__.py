from . import (
    cycle_count_api,
    cycle_count_line,
    cycle_count_sync_record,
    cycle_count_task,
    ir_http,
)
