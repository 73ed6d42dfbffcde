from . import test_api_approvals, test_approval_tour
