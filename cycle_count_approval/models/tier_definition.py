from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

ADJUSTMENT_MODEL = "cycle.count.adjustment"
MANAGER_GROUP = "cycle_count_planning.group_cycle_count_manager"


class TierDefinition(models.Model):
    _inherit = "tier.definition"

    cycle_count_deadline_hours = fields.Integer(
        string="Deadline (hours)",
        default=24,
        help="Variance reports: hours the reviewers of this tier have to decide, "
        "from the moment it is their turn. Past it, the hourly escalation gives "
        "the review to the escalation user (once). 0: no deadline.",
    )
    cycle_count_escalation_user_id = fields.Many2one(
        "res.users",
        string="Escalation User",
        domain=[("share", "=", False)],
        help="Variance reports: who is told when a review of this tier is past "
        "its deadline. Empty: the cycle count managers of the report's company.",
    )

    @api.model
    def _get_tier_validation_model_names(self):
        res = super()._get_tier_validation_model_names()
        res.append(ADJUSTMENT_MODEL)
        return res

    @api.constrains("model", "has_forward")
    def _check_no_forward_on_adjustment(self):
        # OCA's forward hands a review to anybody its reviewer names, through a
        # wizard every internal user may run, and creates the new review as that
        # user: it would bypass the separation of duties. A reviewer who is away
        # delegates instead (cycle.count.approval.delegation), which the approval
        # flow checks at each decision.
        if any(tier.model == ADJUSTMENT_MODEL and tier.has_forward for tier in self):
            raise ValidationError(
                self.env._(
                    "Variance report tiers cannot be forwarded: a reviewer who is "
                    "away delegates their reviews instead (Variance Reports > "
                    "Approval Delegations)."
                )
            )

    @api.constrains("cycle_count_deadline_hours")
    def _check_cycle_count_deadline_hours(self):
        if any(tier.cycle_count_deadline_hours < 0 for tier in self):
            raise ValidationError(
                self.env._("The deadline of an approval tier cannot be negative.")
            )

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
