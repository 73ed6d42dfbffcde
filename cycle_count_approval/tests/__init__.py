from . import test_apply_to_stock
from . import test_approval
from . import test_reject_tour
from . import test_tour
