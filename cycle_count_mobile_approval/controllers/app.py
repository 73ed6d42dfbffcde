from odoo.http import request

from odoo.addons.cycle_count_mobile.controllers import app


class CycleCountApp(app.CycleCountApp):
    def _app_config(self):
        config = super()._app_config()
        # The approvals screen shows for reviewers only (the API refuses others).
        config["approvals"] = request.env["cycle.count.api"]._is_reviewer()
        return config
