import re

import werkzeug.exceptions

from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _auth_method_cycle_count_api(cls):
        """An Odoo API key (``Authorization: Bearer <key>``) or the web session.

        Session calls must send JSON (``Content-Type: application/json``): a
        cross-site form cannot, so the session cannot be ridden (CSRF)."""
        header = request.httprequest.headers.get("Authorization") or ""
        match = re.match(r"^bearer\s+(.+)$", header, re.IGNORECASE)
        if match:
            uid = request.env["res.users.apikeys"]._check_credentials(
                scope="rpc", key=match.group(1)
            )
            if not uid:
                raise werkzeug.exceptions.Unauthorized("Invalid API key")
            request.update_env(user=uid)
        elif not request.env.uid or request.env.uid in cls._get_public_users():
            raise werkzeug.exceptions.Unauthorized(
                'Authenticate with an Odoo API key: "Authorization: Bearer <key>".'
            )
        elif request.httprequest.mimetype != "application/json":
            raise werkzeug.exceptions.UnsupportedMediaType(
                "Send JSON (Content-Type: application/json)."
            )
        user = request.env.user
        request.update_context(lang=user.lang, allowed_company_ids=user.company_ids.ids)
