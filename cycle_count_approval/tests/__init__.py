from . import test_apply_to_stock
from . import test_approval
from . import test_background_apply
from . import test_tour
