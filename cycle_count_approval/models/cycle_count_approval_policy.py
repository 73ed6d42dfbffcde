from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.tools import float_round

# The smallest step of a value band (the currency's cent): the flow shows the
# bands from one breakpoint to the cent before the next.
STEP = 0.01


class CycleCountApprovalPolicy(models.TransientModel):
    """The approval policy of variance reports on one screen: the flow (value
    bands → reviewers in order, then every tier with its conditions) and a
    simulator. Both ask the policy of an unsaved variance report carrying the
    figures (cycle.count.adjustment._get_applicable_tiers), the same evaluation
    as a real report's submission."""

    _name = "cycle.count.approval.policy"
    _description = "Approval Policy"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    flow_html = fields.Html(
        string="Policy", compute="_compute_flow_html", sanitize=False
    )
    tiers_html = fields.Html(
        string="Tiers", compute="_compute_flow_html", sanitize=False
    )
    simulate_value = fields.Monetary(
        string="Value",
        help="The value of the report's variances, gains and losses without sign.",
    )
    simulate_direction = fields.Selection(
        [("loss", "Loss"), ("gain", "Gain")],
        string="Gain or Loss",
        default="loss",
        required=True,
    )
    simulate_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Warehouse",
        domain="[('company_id', '=', company_id)]",
    )
    simulate_category_id = fields.Many2one(
        "product.category", string="Product Category"
    )
    simulated_tier_ids = fields.Many2many(
        "tier.definition",
        string="Tiers That Apply",
        compute="_compute_simulation",
        help="The tiers a report of these figures goes through, in order.",
    )
    simulation_html = fields.Html(
        string="Result", compute="_compute_simulation", sanitize=False
    )

    # ------------------------------------------------------------------
    # The simulation: an unsaved report, the policy's own evaluation
    # ------------------------------------------------------------------
    def _new_report(self, value, direction, warehouse=None, category=None):
        """An unsaved variance report of one variance of ``value`` (a gain or a
        loss), in ``warehouse``, of a product of ``category``."""
        self.ensure_one()
        company = self.company_id
        task = self.env["cycle.count.task"].new(
            {"company_id": company.id, "warehouse_id": warehouse and warehouse.id}
        )
        template = self.env["product.template"].new(
            {"name": "—", "categ_id": category and category.id}
        )
        product = self.env["product.product"].new({"product_tmpl_id": template})
        signed = value if direction == "gain" else -value
        return self.env["cycle.count.adjustment"].new(
            {
                "company_id": company.id,
                "task_id": task,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": product,
                            "difference_qty": 1 if direction == "gain" else -1,
                            "variance_value": signed,
                        }
                    )
                ],
            }
        )

    def _simulate(self, value, direction, warehouse=None, category=None):
        """The tiers a report of these figures needs, in review order."""
        report = self._new_report(value, direction, warehouse, category)
        return report._get_applicable_tiers()

    @api.depends(
        "company_id",
        "simulate_value",
        "simulate_direction",
        "simulate_warehouse_id",
        "simulate_category_id",
    )
    def _compute_simulation(self):
        for policy in self:
            tiers = policy._simulate(
                policy.simulate_value,
                policy.simulate_direction,
                policy.simulate_warehouse_id,
                policy.simulate_category_id,
            )
            policy.simulated_tier_ids = tiers
            policy.simulation_html = policy._render_simulation(tiers)

    def _render_simulation(self, tiers):
        if not tiers:
            return Markup('<p class="o_cc_policy_result text-success">%s</p>') % (
                self.env._("No tier applies: approved automatically.")
            )
        items = Markup("").join(
            Markup(
                '<li class="o_cc_policy_result_tier">%s <small class="text-muted">%s'
                "</small></li>"
            )
            % (tier.name, self._reviewer_text(tier))
            for tier in tiers
        )
        return Markup('<ol class="o_cc_policy_result">%s</ol>') % items

    # ------------------------------------------------------------------
    # The flow
    # ------------------------------------------------------------------
    def _reviewer_text(self, tier):
        if tier.review_type == "individual":
            return tier.reviewer_id.name or ""
        if tier.review_type == "group":
            return tier.reviewer_group_id.full_name or ""
        return tier.reviewer_field_id.field_description or ""

    def _get_breakpoints(self, tiers):
        points = {STEP}
        for tier in tiers:
            for value in (tier.cycle_count_value_from, tier.cycle_count_value_to):
                if value > 0:
                    points |= {value, float_round(value + STEP, precision_digits=2)}
        return sorted(points)

    def _get_bands(self):
        """[(from, to or None, {direction: tiers})]: the value bands of a report
        of any warehouse and category, each with the tiers it goes through for
        a loss and for a gain, found by simulating each band's edges."""
        self.ensure_one()
        tiers = self._new_report(0, "loss")._get_policy_tiers()
        points = self._get_breakpoints(tiers)
        chains = [
            (
                point,
                {
                    direction: self._simulate(point, direction)
                    for direction in ("loss", "gain")
                },
            )
            for point in points
        ]
        bands = []
        for point, chain in chains:
            if bands and bands[-1][2] == chain:
                continue
            if bands:
                bands[-1][1] = float_round(point - STEP, precision_digits=2)
            bands.append([point, None, chain])
        return [tuple(band) for band in bands]

    def _money(self, value):
        return f"{value:,.2f}"

    def _render_chain(self, tiers):
        if not tiers:
            return escape(self.env._("approved automatically"))
        return Markup(" → ").join(
            Markup('<span class="badge text-bg-primary o_cc_policy_tier">%s</span>')
            % tier.name
            for tier in tiers
        )

    @api.depends("company_id")
    def _compute_flow_html(self):
        for policy in self:
            policy.flow_html = policy._render_flow()
            policy.tiers_html = policy._render_tiers()

    def _render_flow(self):
        self.ensure_one()
        rows = []
        for low, high, chain in self._get_bands():
            if high is None:
                label = self.env._("from %(low)s", low=self._money(low))
            else:
                label = self.env._(
                    "%(low)s – %(high)s", low=self._money(low), high=self._money(high)
                )
            if chain["loss"] == chain["gain"]:
                reviewers = self._render_chain(chain["loss"])
            else:
                reviewers = Markup("%s: %s<br/>%s: %s") % (
                    self.env._("Losses"),
                    self._render_chain(chain["loss"]),
                    self.env._("Gains"),
                    self._render_chain(chain["gain"]),
                )
            rows.append(
                Markup(
                    '<tr class="o_cc_policy_band"><td class="text-nowrap">%s</td>'
                    "<td>%s</td></tr>"
                )
                % (label, reviewers)
            )
        return Markup(
            '<div class="o_cc_policy_flow">'
            '<h4>%s</h4><p class="text-muted">%s</p>'
            '<table class="table table-sm o_cc_policy_bands"><thead><tr>'
            "<th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table></div>"
        ) % (
            self.env._("Value bands → reviewers, in order"),
            self.env._(
                "For a report of any warehouse and product category (gains and "
                "losses without sign); the tiers below may add conditions."
            ),
            self.env._("Value"),
            self.env._("Reviewers"),
            Markup("").join(rows),
        )

    def _render_tiers(self):
        self.ensure_one()
        tiers = self._new_report(0, "loss")._get_policy_tiers()
        tier_rows = [
            Markup(
                '<tr class="o_cc_policy_tier_row"><td>%s</td><td><b>%s</b></td>'
                "<td>%s</td><td>%s</td><td>%s</td></tr>"
            )
            % (
                index,
                tier.name,
                self._reviewer_text(tier),
                tier.cycle_count_condition or "",
                self._render_actions(tier),
            )
            for index, tier in enumerate(tiers, start=1)
        ]
        return Markup(
            '<div class="o_cc_policy_tier_list"><h4>%s</h4>'
            '<table class="table table-sm o_cc_policy_tiers"><thead><tr>'
            "<th>#</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
            "<tbody>%s</tbody></table></div>"
        ) % (
            self.env._("Every tier, in review order"),
            self.env._("Tier"),
            self.env._("Reviewer"),
            self.env._("Applies when"),
            self.env._("Actions"),
            Markup("").join(tier_rows),
        )

    def _render_actions(self, tier):
        actions = []
        if tier.server_action_id:
            actions.append(
                self.env._("on approval: %(action)s", action=tier.server_action_id.name)
            )
        if tier.rejected_server_action_id:
            actions.append(
                self.env._(
                    "on rejection: %(action)s",
                    action=tier.rejected_server_action_id.name,
                )
            )
        return "; ".join(actions)

    def action_open_tiers(self):
        """The tiers of variance reports, to edit (the cycle count manager)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "base_tier_validation.tier_definition_action"
        )
        action["domain"] = [("model", "=", "cycle.count.adjustment")]
        action["context"] = {}
        return action
