from odoo import fields
from odoo.tests import tagged

from odoo.addons.cycle_count_approval.models.cycle_count_adjustment import (
    APPLY_CHUNK_PARAM,
)
from odoo.addons.cycle_count_approval.tests.common import use_periodic_category
from odoo.addons.cycle_count_planning.tests.common import CycleCountCase
from odoo.addons.queue_job.job import Job


@tagged("post_install", "-at_install")
class TestQueueJobs(CycleCountCase):
    """With queue_job, the long work is jobs (stored, as in production: no
    trap), never queued twice, each safe to run again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        use_periodic_category(cls)

    def _jobs(self, method, states=("pending",)):
        return self.env["queue.job"].search(
            [("method_name", "=", method), ("state", "in", list(states))], order="id"
        )

    def _perform(self, job_record):
        job = Job.load(self.env, job_record.uuid)
        result = job.perform()
        job.set_done(result=result)
        job.store()
        return result

    def test_daily_planning_is_one_job_per_warehouse_queued_once(self):
        self._create_rule()
        today = fields.Date.context_today(self.env.user)
        warehouses = self.env["stock.warehouse"].search(
            [
                ("company_id", "=", self.company.id),
                "|",
                ("cycle_count_plan_date", "=", False),
                ("cycle_count_plan_date", "<", today),
            ]
        )
        Rule = self.env["cycle.count.rule"]
        Rule._cron_plan_counts()
        jobs = self._jobs("_job_plan_warehouse")
        self.assertEqual(len(jobs), len(warehouses))
        self.assertEqual(set(jobs.mapped("channel")), {"root.cycle_count"})
        # The cron again before the jobs ran: nothing queued twice.
        Rule._cron_plan_counts()
        self.assertEqual(self._jobs("_job_plan_warehouse"), jobs)
        # Nothing planned by the cron itself: the jobs plan.
        self.assertFalse(
            self.env["cycle.count.line"].search(
                [("warehouse_id", "=", self.warehouse.id)]
            )
        )
        for job in jobs:
            self._perform(job)
        lines = self.env["cycle.count.line"].search(
            [("warehouse_id", "=", self.warehouse.id)]
        )
        self.assertEqual(len(lines), 4)
        self.assertEqual(set(warehouses.mapped("cycle_count_plan_date")), {today})
        # A job run twice (a worker died after its commit) plans nothing again.
        job = jobs.filtered(lambda j: j.args[0] == self.warehouse.id)
        self.assertIn("Nothing to do", self._perform(job))
        self.assertEqual(
            self.env["cycle.count.line"].search_count(
                [("warehouse_id", "=", self.warehouse.id)]
            ),
            4,
        )
        Rule._cron_plan_counts()
        self.assertFalse(self._jobs("_job_plan_warehouse"))

    def test_abc_is_one_job_per_profile(self):
        Profile = self.env["cycle.count.abc.profile"]
        due = Profile.search(
            Profile._get_due_domain(fields.Date.context_today(self.env.user))
        )
        Profile._cron_compute_classes()
        Profile._cron_compute_classes()
        jobs = self._jobs("_job_compute_profile")
        self.assertEqual(len(jobs), len(due))
        for job in jobs:
            self._perform(job)
        self.assertFalse(
            Profile.search(
                Profile._get_due_domain(fields.Date.context_today(self.env.user))
            )
        )

    def test_a_large_report_is_applied_by_a_chain_of_chunk_jobs(self):
        self.env["ir.config_parameter"].set_param(APPLY_CHUNK_PARAM, "2")
        task = self._counted_task(apple=12, bolt=46, chip=3)
        adjustment = task.adjustment_ids
        for user in (self.supervisor, self.finance, self.manager):
            if adjustment.with_user(user).can_review:
                adjustment.with_user(user).validate_tier()
        self.assertTrue(adjustment.is_applying)
        first = self._jobs("_job_apply_chunk")
        self.assertEqual(len(first), 1)
        self._perform(first)
        self.assertEqual(len(adjustment.move_ids), 2)
        second = self._jobs("_job_apply_chunk")
        self.assertEqual(len(second), 1)
        self.assertNotEqual(second, first)
        self.assertIn("Applied", self._perform(second))
        self.assertEqual(adjustment.state, "posted")
        self.assertEqual(len(adjustment.move_ids), 3)
        self.assertFalse(self._jobs("_job_apply_chunk"))
        # The first job run again: nothing applied twice.
        self.assertIn("Nothing to do", self._perform(first))
        self.assertEqual(len(adjustment.move_ids), 3)
