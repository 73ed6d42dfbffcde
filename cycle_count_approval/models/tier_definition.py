from odoo import api, models
from odoo.exceptions import AccessError

ADJUSTMENT_MODEL = "cycle.count.adjustment"
MANAGER_GROUP = "cycle_count_planning.group_cycle_count_manager"


class TierDefinition(models.Model):
    _inherit = "tier.definition"

    @api.model
    def _get_tier_validation_model_names(self):
        res = super()._get_tier_validation_model_names()
        res.append(ADJUSTMENT_MODEL)
        return res

    # The record rules give the variance report's tiers to the cycle count
    # manager alone (and refuse them to the settings administrators who configure
    # other models' tiers). A rule checks a record before a write only: these
    # guards refuse moving a tier onto the variance report, or off it, to anybody
    # else.
    def _check_adjustment_tier_manager(self, model_ids):
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        models_ = self.env["ir.model"].sudo().browse(model_ids)
        if ADJUSTMENT_MODEL in models_.mapped("model"):
            raise AccessError(
                self.env._(
                    "Only a cycle count manager configures the approval tiers of "
                    "variance reports."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_adjustment_tier_manager(
            [vals["model_id"] for vals in vals_list if vals.get("model_id")]
        )
        return super().create(vals_list)

    def write(self, vals):
        if "model_id" in vals:
            self._check_adjustment_tier_manager(
                self.model_id.ids + ([vals["model_id"]] if vals["model_id"] else [])
            )
        return super().write(vals)
