from . import cycle_count_accuracy_report
