from . import test_accuracy
from . import test_dependencies
from . import test_tour
