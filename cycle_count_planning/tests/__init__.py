from . import test_planning
from . import test_counting
from . import test_access
from . import test_tour
