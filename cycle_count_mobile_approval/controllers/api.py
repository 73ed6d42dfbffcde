from odoo import http
from odoo.http import request

from odoo.addons.cycle_count_mobile import api_payload
from odoo.addons.cycle_count_mobile.controllers.api import (
    API,
    _handle,
    _read_json,
    json_response,
)

# The bridge's operations and request bodies, in the counting API's one table
# of what each endpoint takes (its openapi.json fragment says the same).
api_payload.QUERY_PARAMETERS.update(
    {
        "listApprovals": (),
        "getApproval": (),
        "approveReport": (),
        "rejectReport": (),
    }
)
api_payload.REQUEST_FIELDS.update(
    {"ApprovalDecision": ("comment",), "Rejection": ("comment",)}
)


class CycleCountApprovalApi(http.Controller):
    """Approvals on the counting API: thin, as the counting routes; the model
    (cycle.count.api) reads and decides, the report checks who may."""

    _route = {
        "type": "http",
        "auth": "cycle_count_api",
        "csrf": False,
        "save_session": False,
    }

    @http.route(f"{API}/approvals", methods=["GET"], readonly=True, **_route)
    def list_approvals(self, **_kwargs):
        return _handle(
            lambda: json_response(request.env["cycle.count.api"]._get_approvals()),
            "listApprovals",
        )

    @http.route(
        f"{API}/approvals/<int:report_id>", methods=["GET"], readonly=True, **_route
    )
    def get_approval(self, report_id, **_kwargs):
        def run():
            api = request.env["cycle.count.api"]
            return json_response(api._get_approval(api._approval_report(report_id)))

        return _handle(run, "getApproval")

    @http.route(f"{API}/approvals/<int:report_id>/approve", methods=["POST"], **_route)
    def approve_report(self, report_id, **_kwargs):
        return self._decide(
            report_id, "ApprovalDecision", "approveReport", approve=True
        )

    @http.route(f"{API}/approvals/<int:report_id>/reject", methods=["POST"], **_route)
    def reject_report(self, report_id, **_kwargs):
        return self._decide(report_id, "Rejection", "rejectReport", approve=False)

    def _decide(self, report_id, schema, operation, approve):
        def run():
            payload = _read_json(api_payload.MAX_COUNTS_BODY, schema)
            api = request.env["cycle.count.api"]
            report = api._approval_report(report_id)
            return json_response(
                api._decide_approval(report, approve, payload.get("comment"))
            )

        return _handle(run, operation, write=True)
