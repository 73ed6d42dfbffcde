from odoo import models


class TierValidationForwardWizard(models.TransientModel):
    _inherit = "tier.validation.forward.wizard"

    def add_forward(self):
        # Every internal user may run OCA's forward wizard: on a variance report
        # it is refused before anything is written (see
        # cycle.count.adjustment.forward_tier).
        if "cycle.count.adjustment" in self.mapped("res_model"):
            self.env["cycle.count.adjustment"]._raise_no_forward()
        return super().add_forward()
