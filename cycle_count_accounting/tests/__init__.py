from . import test_access_matrix
from . import test_backend
from . import test_backend_tour
from . import test_closed_loop
from . import test_tour
from . import test_approved_value_posted
from . import test_property_stock_books
