from . import test_accuracy
from . import test_dependencies
from . import test_figures
from . import test_proposals
from . import test_proposal_tour
from . import test_tour
from . import test_analysis_export
from . import test_summary
