from . import test_accuracy
