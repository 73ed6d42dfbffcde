from odoo import api, models
from odoo.exceptions import AccessError, MissingError

from odoo.addons.cycle_count_mobile import api_payload
from odoo.addons.cycle_count_mobile.exceptions import InvalidInput
from odoo.addons.cycle_count_mobile.models.cycle_count_api import REVIEWER_GROUPS

REPORT = "cycle.count.adjustment"


class CycleCountApi(models.AbstractModel):
    """Approvals on the counting API: the reports waiting for the user, their
    variances with values, and the decision, given through the report's own
    validate_tier / reject_tier (separation of duties included)."""

    _inherit = "cycle.count.api"

    @api.model
    def _openapi_files(self):
        return [
            *super()._openapi_files(),
            "cycle_count_mobile_approval/static/api/openapi.json",
        ]

    @api.model
    def _is_reviewer(self):
        user = self.env.user
        return any(user.has_group(group) for group in REVIEWER_GROUPS)

    @api.model
    def _check_reviewer(self):
        if not self._is_reviewer():
            raise AccessError(
                self.env._(
                    "Only supervisors and finance managers approve variance reports."
                )
            )

    @api.model
    def _approval_report(self, report_id):
        """The report of a path's id, as the user's record rules show it: one of
        another company does not exist for them (404, nothing said about it)."""
        self._check_reviewer()
        report = self.env[REPORT]
        if 0 < report_id <= api_payload.MAX_ID:
            report = report.search([("id", "=", report_id)])
        if not report:
            raise MissingError(
                self.env._(
                    "Variance report %(report)s does not exist.", report=report_id
                )
            )
        return report

    @api.model
    def _ref(self, record):
        return {"id": record.id, "name": record.display_name} if record else None

    @api.model
    def _report_summary(self, report):
        return {
            "id": report.id,
            "name": report.name,
            "state": report.state,
            "task": self._ref(report.task_id),
            "warehouse": self._ref(report.warehouse_id),
            "reported_at": self._datetime(report.create_date),
            "line_count": report.line_count,
            "currency": report.currency_id.name,
            "total_gain": report.total_gain,
            "total_loss": report.total_loss,
            "net_value": report.net_value,
            "abs_variance_total": report.abs_variance_total,
            "waiting_for": report.waiting_for or "",
            "can_review": report.can_review,
        }

    @api.model
    def _get_approvals(self):
        """The reports whose next decision is the user's, in the user's companies."""
        self._check_reviewer()
        reports = self.env[REPORT].search(
            [("state", "=", "to_approve"), ("can_review", "=", True)], order="id"
        )
        return {"reports": [self._report_summary(report) for report in reports]}

    @api.model
    def _get_approval(self, report):
        refusal = report.state == "to_approve" and (
            report._get_review_refusal(self.env.user)
        )
        lines = report.line_ids
        return {
            **self._report_summary(report),
            "refusal": refusal or None,
            "lines": [
                {
                    "id": line.id,
                    # The code has its own member: the product's name without it.
                    "product": {
                        "id": line.product_id.id,
                        "name": line.product_id.with_context(
                            display_default_code=False
                        ).display_name,
                    },
                    "code": line.default_code or None,
                    "location": self._ref(line.location_id),
                    "lot": self._ref(line.lot_id),
                    "uom": line.product_uom_id.name,
                    "book_qty": line.book_qty,
                    "counted_qty": line.counted_qty,
                    "difference_qty": line.difference_qty,
                    "unit_cost": line.unit_cost,
                    "value": line.variance_value,
                    "reason": self._ref(line.reason_id),
                    "counter": self._ref(line.counter_id),
                    "photo_count": len(line.attachment_ids),
                }
                for line in lines
            ],
            "reviews": [
                {
                    "tier": review.name or "",
                    "status": review.status,
                    "done_by": self._ref(review.done_by),
                    "decided_at": self._datetime(review.reviewed_date),
                    "comment": review.comment or None,
                }
                for review in report.review_ids.sorted("sequence")
            ],
        }

    @api.model
    def _decide_approval(self, report, approve, comment):
        """Approve or reject ``report`` as the user: a rejection needs a comment
        (what the counter reads); any refusal raises before anything is written."""
        if comment is not None and not api_payload.is_text(
            comment, api_payload.MAX_NOTE
        ):
            raise InvalidInput(
                self.env._(
                    "comment must be a text of at most %(max)s characters.",
                    max=api_payload.MAX_NOTE,
                )
            )
        comment = (comment or "").strip()
        if not approve and not comment:
            raise InvalidInput(
                self.env._(
                    "Say why you reject %(report)s: your comment is what the counter "
                    "reads before counting again.",
                    report=report.name,
                ),
                code="comment_required",
            )
        report._decide(approve, comment)
        return self._report_summary(report)
