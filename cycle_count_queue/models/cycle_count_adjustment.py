from odoo import models

from odoo.addons.queue_job.job import identity_exact


class CycleCountAdjustment(models.Model):
    _inherit = "cycle.count.adjustment"

    def _dispatch_apply_to_stock(self):
        """A job per report; each job applies one chunk (its own transaction)
        and queues the next in that same transaction, so a chunk and its
        successor are committed together or not at all."""
        for adjustment in self:
            adjustment._enqueue_apply_chunk()

    def _enqueue_apply_chunk(self):
        self.ensure_one()
        applied = len(self.sudo().move_ids)
        # The identity holds how much is applied: the same step is never queued
        # twice, the next step is a new job.
        self.with_delay(
            identity_key=identity_exact,
            description=self.env._(
                "Apply %(report)s to stock (%(applied)s variances applied)",
                report=self.name,
                applied=applied,
            ),
        )._job_apply_chunk(applied)

    def _job_apply_chunk(self, applied_before):
        """Apply the next chunk; ``applied_before`` only tells the steps apart."""
        adjustment = self._apply_next_chunk()
        if not adjustment:
            return self.env._(
                "Nothing to do: applied already, or being applied by another job."
            )
        if adjustment.is_applying:
            adjustment._enqueue_apply_chunk()
            return self.env._("Applied a chunk of %(report)s.", report=self.name)
        return self.env._("Applied %(report)s to stock.", report=self.name)
