from . import test_access, test_counting, test_planning, test_tour
