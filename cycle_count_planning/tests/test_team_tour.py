from odoo.tests import tagged

from .test_tour import TOUR_TIMEOUT, CycleCountTourCase


@tagged("post_install", "-at_install")
class TestTeamTour(CycleCountTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_cycle_count()

    def test_supervisor_creates_a_team(self):
        self.start_tour(
            "/odoo/action-cycle_count_planning.cycle_count_task_action",
            "cycle_count_team_tour",
            login="cc_supervisor",
            timeout=TOUR_TIMEOUT,
        )
        team = self.env["cycle.count.team"].search([("name", "=", "Day shift")])
        self.assertEqual(team.leader_id, self.supervisor)
        self.assertEqual(team.member_ids, self.counter)
