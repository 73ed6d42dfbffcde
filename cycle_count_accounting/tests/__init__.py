from . import test_access_matrix
from . import test_closed_loop
from . import test_tour
