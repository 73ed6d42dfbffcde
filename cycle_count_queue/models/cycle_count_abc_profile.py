from odoo import api, models

from odoo.addons.queue_job.job import identity_exact


class CycleCountAbcProfile(models.Model):
    _inherit = "cycle.count.abc.profile"

    @api.model
    def _enqueue_computations(self, today):
        """One job per profile due today, never queued twice (identity: the
        profile and the day)."""
        for profile in self.search(self._get_due_domain(today)):
            profile.with_delay(
                identity_key=identity_exact,
                description=self.env._(
                    "Compute the ABC classes of %(profile)s", profile=profile.name
                ),
            )._job_compute_profile(today)
        return True

    def _job_compute_profile(self, today):
        computed = self._compute_next_profile(today)
        if computed:
            return self.env._("Computed %(profile)s.", profile=computed.name)
        return self.env._(
            "Nothing to do: already computed today, or being computed by another job."
        )
