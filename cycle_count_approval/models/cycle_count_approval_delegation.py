from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

MANAGER_GROUP = "cycle_count_planning.group_cycle_count_manager"
REVIEWER_GROUPS = (
    "cycle_count_planning.group_cycle_count_supervisor",
    "cycle_count_planning.group_cycle_count_finance",
)


class CycleCountApprovalDelegation(models.Model):
    """A reviewer away from ``date_from`` to ``date_to`` (both included) lets
    ``delegate_id`` decide their reviews of the company's variance reports. The
    delegate decides under every rule of the approval (never a report they
    counted, never two tiers of one report); outside the window, not at all."""

    _name = "cycle.count.approval.delegation"
    _description = "Approval Delegation"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    user_id = fields.Many2one(
        "res.users",
        string="Reviewer Away",
        required=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
        tracking=True,
        index=True,
    )
    delegate_id = fields.Many2one(
        "res.users",
        required=True,
        domain=[("share", "=", False)],
        tracking=True,
        index=True,
        help="Decides the reviewer's variance reports while they are away: "
        "a supervisor or finance manager, never on a report they counted.",
    )
    date_from = fields.Date(
        string="From", required=True, default=fields.Date.context_today, tracking=True
    )
    date_to = fields.Date(string="To", required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Char(help="Why, for the delegate and the managers.")
    is_current = fields.Boolean(
        string="In Force",
        compute="_compute_is_current",
        search="_search_is_current",
        help="Active, and today is inside its window.",
    )

    _sql_constraints = [
        (
            "dates_in_order",
            "CHECK (date_to >= date_from)",
            "A delegation ends on or after the day it starts.",
        ),
        (
            "not_to_oneself",
            "CHECK (user_id != delegate_id)",
            "Nobody delegates their reviews to themselves.",
        ),
    ]

    @api.depends_context("uid")
    @api.depends("active", "date_from", "date_to")
    def _compute_is_current(self):
        today = fields.Date.context_today(self)
        for delegation in self:
            delegation.is_current = bool(
                delegation.active
                and delegation.date_from
                and delegation.date_to
                and delegation.date_from <= today <= delegation.date_to
            )

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on In Force."))
        today = fields.Date.context_today(self)
        domain = [("date_from", "<=", today), ("date_to", ">=", today)]
        if (operator == "=") == value:
            return domain
        return ["|", ("date_from", ">", today), ("date_to", "<", today)]

    @api.model
    def _get_active(self, users, company):
        """The delegations of ``users`` in force today in ``company``."""
        if not users or not company:
            return self.browse()
        # The approval reads every delegation, whoever triggers it (a counter's
        # submission computes the reviewers).
        return (
            self.sudo()
            .search(
                [
                    ("user_id", "in", users.ids),
                    ("company_id", "=", company.id),
                    ("is_current", "=", True),
                ]
            )
            .sudo(False)
        )

    @api.constrains("delegate_id", "company_id")
    def _check_delegate_reviews(self):
        groups = [self.env.ref(xmlid) for xmlid in REVIEWER_GROUPS]
        for delegation in self:
            delegate = delegation.delegate_id
            if not any(delegate in group.users for group in groups):
                raise ValidationError(
                    self.env._(
                        "%(delegate)s reviews no variance report: a delegate is a "
                        "supervisor or a finance manager.",
                        delegate=delegate.display_name,
                    )
                )
            if delegation.company_id not in delegate.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(delegate)s does not work for %(company)s.",
                        delegate=delegate.display_name,
                        company=delegation.company_id.display_name,
                    )
                )

    def _check_own_delegation(self, vals_list):
        """A reviewer delegates their own reviews only; a cycle count manager
        anybody's (the record rules hold the same for existing records)."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        users = {vals["user_id"] for vals in vals_list if vals.get("user_id")}
        if users - {self.env.uid}:
            raise AccessError(
                self.env._(
                    "You can delegate only your own reviews: a cycle count manager "
                    "sets up the delegations of others."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_own_delegation(vals_list)
        delegations = super().create(vals_list)
        delegations._refresh_reviews()
        return delegations

    def write(self, vals):
        self._check_own_delegation([vals])
        before = self._get_pending_reviews()
        res = super().write(vals)
        (before | self._get_pending_reviews())._refresh_after_delegation()
        return res

    def unlink(self):
        reviews = self._get_pending_reviews()
        res = super().unlink()
        reviews._refresh_after_delegation()
        return res

    def _get_pending_reviews(self):
        """The open reviews of variance reports the delegators may decide."""
        if not self:
            return self.env["tier.review"]
        # The reviews are read by the approval flow (counters and delegates may
        # not read them all).
        reviews = (
            self.env["tier.review"]
            .sudo()
            .search(
                [
                    ("model", "=", "cycle.count.adjustment"),
                    ("status", "in", ("waiting", "pending")),
                    ("cycle_count_company_id", "in", self.company_id.ids),
                ]
            )
        )
        users = self.user_id | self.delegate_id
        return reviews.filtered(
            lambda review: (
                review.reviewer_ids & users
                or review._get_cycle_count_base_reviewers() & users
            )
        )

    def _refresh_reviews(self):
        self._get_pending_reviews()._refresh_after_delegation()
