from . import test_apply_to_stock
from . import test_approval
from . import test_counter_hint
from . import test_tour
