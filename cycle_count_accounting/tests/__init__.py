from . import test_access_matrix
from . import test_backend
from . import test_backend_tour
from . import test_closed_loop
from . import test_tour
from . import test_china_two_step
from . import test_two_step_tour
