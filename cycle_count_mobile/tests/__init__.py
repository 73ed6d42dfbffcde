from . import test_api
