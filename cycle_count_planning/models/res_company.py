from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # Every company gets its ABC profile, and the event triggers switched off,
        # ready to switch on.
        self.env["cycle.count.abc.profile"]._create_company_defaults(companies)
        self.env["cycle.count.trigger"]._create_company_defaults(companies)
        return companies
