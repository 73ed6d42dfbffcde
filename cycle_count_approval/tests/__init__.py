from . import test_approval
