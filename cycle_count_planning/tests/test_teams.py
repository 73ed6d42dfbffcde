from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user

from .common import CycleCountCase


class TestTeams(CycleCountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["cycle.count.team"].create(
            {
                "name": "Day shift",
                "company_id": cls.company.id,
                "warehouse_id": cls.warehouse.id,
                "leader_id": cls.supervisor.id,
                "member_ids": [Command.set(cls.counter.ids)],
            }
        )

    def test_a_counter_is_in_one_team_per_company(self):
        with self.assertRaisesRegex(ValidationError, "Day shift"):
            self.env["cycle.count.team"].create(
                {
                    "name": "Night shift",
                    "company_id": self.company.id,
                    "member_ids": [Command.set(self.counter.ids)],
                }
            )
        night = self.env["cycle.count.team"].create(
            {"name": "Night shift", "company_id": self.company.id}
        )
        with self.assertRaises(ValidationError):
            night.member_ids = self.counter
        self.assertFalse(night.member_ids)
        # In another company, the same counter may be in a team there.
        other = self.env["res.company"].create({"name": "Other Co"})
        self.counter.company_ids |= other
        team = self.env["cycle.count.team"].create(
            {
                "name": "Other shift",
                "company_id": other.id,
                "member_ids": [Command.set(self.counter.ids)],
            }
        )
        self.assertEqual(team.member_ids, self.counter)

    def test_the_leader_is_a_supervisor(self):
        with self.assertRaises(ValidationError):
            self.team.leader_id = self.counter_2

    def test_lines_and_tasks_keep_the_counters_team(self):
        task = self._plan(self._create_rule())
        self.assertEqual(task.team_id, self.team)
        line = task.line_ids[:1]
        self.assertFalse(line.team_id, "no team before the count")
        self._count_stock(task)
        self.assertEqual(task.line_ids.team_id, self.team)
        # Moving the counter later does not rewrite the lines counted.
        self.team.member_ids = False
        self.assertEqual(task.line_ids.team_id, self.team)

    def test_access(self):
        Team = self.env["cycle.count.team"]
        # A counter reads their own team, not the others, and writes none.
        other = Team.create(
            {"name": "Other team", "member_ids": [Command.set(self.counter_2.ids)]}
        )
        visible = Team.with_user(self.counter).search([])
        self.assertEqual(visible, self.team)
        with self.assertRaises(AccessError):
            other.with_user(self.counter).read(["name"])
        with self.assertRaises(AccessError):
            self.team.with_user(self.counter).write({"name": "Mine"})
        # Supervisors and managers write; only managers delete.
        self.team.with_user(self.supervisor).write({"name": "Early shift"})
        Team.with_user(self.supervisor).create({"name": "Supervisor's"})
        with self.assertRaises(AccessError):
            other.with_user(self.supervisor).unlink()
        other.with_user(self.manager).unlink()
        # A team of another company stays out of sight.
        company = self.env["res.company"].create({"name": "Elsewhere"})
        hidden = Team.create({"name": "Elsewhere team", "company_id": company.id})
        self.assertNotIn(hidden, Team.with_user(self.manager).search([]))
        # A plain internal user reads no team.
        internal = new_test_user(self.env, login="cc_internal_team")
        with self.assertRaises(AccessError):
            self.team.with_user(internal).read(["name"])
