from odoo import http
from odoo.http import content_disposition, request

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class VarianceReportDocuments(http.Controller):
    @http.route(
        "/cycle_count_approval/variance_reports.xlsx",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def variance_reports_xlsx(self, ids="", **_kwargs):
        record_ids = [int(part) for part in ids.split(",") if part.strip().isdigit()]
        reports = request.env["cycle.count.adjustment"].browse(record_ids).exists()
        if not reports:
            raise request.not_found()
        # Read as the user: their record rules decide what they may export.
        reports.check_access("read")
        name = (
            f"{reports.name}.xlsx"
            if len(reports) == 1
            else request.env._("Variance Reports.xlsx")
        )
        return request.make_response(
            reports._get_xlsx_content(),
            headers=[
                ("Content-Type", XLSX),
                ("Content-Disposition", content_disposition(name)),
            ],
        )
