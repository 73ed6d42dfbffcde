from . import cycle_count_analysis_export
