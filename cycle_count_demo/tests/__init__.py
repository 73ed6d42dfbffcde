from . import test_demo_database
from . import test_demo_history
from . import test_demo_story
