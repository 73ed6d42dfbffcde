from odoo.tests import tagged

from odoo.addons.cycle_count_planning.tests.common import MANAGER, CycleCountCase

DIRECTOR = "cycle_count_approval.group_cycle_count_director"


@tagged("post_install", "-at_install")
class TestDirectorGroup(CycleCountCase):
    """The shipped director tier reviews by the Operations Director group,
    which every cycle count manager has."""

    def test_the_director_tier_reviews_by_the_director_group(self):
        tier = self.env.ref("cycle_count_approval.tier_definition_adjustment_director")
        director = self.env.ref(DIRECTOR)
        self.assertEqual(tier.reviewer_group_id, director)
        self.assertIn(director, self.env.ref(MANAGER).implied_ids)
        self.assertTrue(self.manager.has_group(DIRECTOR))
        self.assertTrue(
            director.implied_ids
            & self.env.ref("cycle_count_planning.group_cycle_count_supervisor")
        )
        self.assertFalse(self.supervisor.has_group(DIRECTOR))

    def test_a_tier_still_on_the_manager_group_moves(self):
        tier = self.env.ref("cycle_count_approval.tier_definition_adjustment_director")
        tier.reviewer_group_id = self.env.ref(MANAGER)
        self.env["tier.definition"]._cycle_count_use_director_group()
        self.assertEqual(tier.reviewer_group_id, self.env.ref(DIRECTOR))
        # A tier set to another group keeps it.
        finance = self.env.ref("cycle_count_planning.group_cycle_count_finance")
        tier.reviewer_group_id = finance
        self.env["tier.definition"]._cycle_count_use_director_group()
        self.assertEqual(tier.reviewer_group_id, finance)
