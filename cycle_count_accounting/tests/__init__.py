from . import test_closed_loop
