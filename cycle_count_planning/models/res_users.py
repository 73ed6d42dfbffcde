from odoo import api, fields, models

# Categories whose groups are not an application's rights: user types, the
# technical ones, and Cycle Count itself.
NOT_APPLICATION_CATEGORIES = (
    "base.module_category_user_type",
    "cycle_count_planning.module_category_cycle_count",
)


class ResUsers(models.Model):
    _inherit = "res.users"

    cycle_count_blind = fields.Boolean(
        string="Blind Counter",
        compute="_compute_cycle_count_blind",
        help="A pure counter: counts, and holds no right of another application. "
        "The blind-count record rules hide stock quantities from such a user "
        "everywhere; a counter who is also, say, a salesperson keeps the stock "
        "figures of their other screens.",
    )

    @api.depends("groups_id")
    def _compute_cycle_count_blind(self):
        counter = self.env.ref("cycle_count_planning.group_cycle_count_counter")
        sighted = self._get_cycle_count_sighted_groups()
        for user in self:
            user.cycle_count_blind = counter in user.groups_id and not (
                user.groups_id & sighted
            )

    @api.model
    def _get_cycle_count_sighted_groups(self):
        """Hook: the groups whose members read stock figures even when they also
        count. Cycle Count's reviewers (supervisors, finance), and the groups of
        every other application (Inventory, Sales, Purchase, …): a group with a
        category that is not a user type, not technical and not Cycle Count."""
        Groups = self.env["res.groups"]
        excluded = [
            category.id
            for xmlid in (
                *NOT_APPLICATION_CATEGORIES,
                *Groups._get_hidden_extra_categories(),
            )
            if (category := self.env.ref(xmlid, raise_if_not_found=False))
        ]
        applications = Groups.search(
            [
                ("share", "=", False),
                ("category_id", "!=", False),
                ("category_id", "not in", excluded),
            ]
        )
        return (
            applications
            | self.env.ref("cycle_count_planning.group_cycle_count_supervisor")
            | self.env.ref("cycle_count_planning.group_cycle_count_finance")
        )
