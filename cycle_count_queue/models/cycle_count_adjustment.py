from odoo import models

from odoo.addons.cycle_count_approval.models.cycle_count_adjustment import ChunkBusy
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact


class CycleCountAdjustment(models.Model):
    _inherit = "cycle.count.adjustment"

    def _dispatch_apply_to_stock(self):
        """A job per report; each job applies one chunk (its own transaction,
        see _apply_chunk_in_own_transaction) and queues the next."""
        for adjustment in self:
            adjustment._enqueue_apply_chunk(len(adjustment.sudo().move_ids))

    def _enqueue_apply_chunk(self, applied):
        self.ensure_one()
        # The identity holds how much is applied: the same step is never queued
        # twice, the next step is a new job. A job killed after its chunk's
        # commit, before its own, runs again: its chunk is then the next one
        # (a line is posted once: _apply_next_chunk), and it queues the same
        # successor as the first run would have.
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
        try:
            result = self._apply_chunk_in_own_transaction()
        except ChunkBusy as exc:
            # Pickings held every row of the chunk through all its tries: the
            # same job runs again later (nothing was posted).
            raise RetryableJobError(
                self.env._(
                    "%(report)s: the rows of its next chunk are held by other "
                    "transactions; run again later.",
                    report=self.name,
                ),
                seconds=30,
                ignore_retry=True,
            ) from exc
        if not result["report"]:
            return self.env._(
                "Nothing to do: applied already, or being applied by another job."
            )
        if result["applying"]:
            self._enqueue_apply_chunk(result["applied"])
            return self.env._("Applied a chunk of %(report)s.", report=self.name)
        return self.env._("Applied %(report)s to stock.", report=self.name)
