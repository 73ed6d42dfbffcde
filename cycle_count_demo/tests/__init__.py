from . import test_demo_history
