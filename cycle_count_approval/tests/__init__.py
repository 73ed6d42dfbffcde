from . import test_apply_to_stock
from . import test_approval
from . import test_forgery
from . import test_quant_pending
from . import test_backend_tour
from . import test_background_apply
from . import test_counter_hint
from . import test_tour
