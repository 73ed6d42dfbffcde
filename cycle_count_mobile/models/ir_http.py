import re

import werkzeug.exceptions

from odoo import models
from odoo.http import request

from .. import api_payload

# Sent by the counting app with every call: the user whose counts it holds.
APP_USER_HEADER = "X-Cycle-Count-User"


def api_error(status, code, message):
    """An HTTP error whose body is the API's JSON error document."""
    response = request.make_json_response(
        {"error": {"code": code, "message": message}}, status=status
    )
    return werkzeug.exceptions.HTTPException(response=response)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _auth_method_cycle_count_api(cls):
        """An Odoo API key (``Authorization: Bearer <key>``) or the web session.

        Session calls must send JSON (``Content-Type: application/json``): a
        cross-site form cannot, so the session cannot be ridden (CSRF)."""
        env = request.env
        header = request.httprequest.headers.get("Authorization") or ""
        match = re.match(r"^bearer\s+(.+)$", header, re.IGNORECASE)
        if match:
            key = match.group(1).strip()
            # A key of another shape (a NUL, 10 000 characters) is no key: it
            # is refused here, not by the database.
            uid = api_payload.is_api_key(key) and env[
                "res.users.apikeys"
            ]._check_credentials(scope="rpc", key=key)
            if not uid:
                raise api_error(
                    401, "unauthorized", env._("This API key is not valid (any more).")
                )
            request.update_env(user=uid)
        elif not env.uid or env.uid in cls._get_public_users():
            raise api_error(
                401,
                "unauthorized",
                env._(
                    'Authenticate with an Odoo API key: "Authorization: Bearer <key>".'
                ),
            )
        elif request.httprequest.mimetype != "application/json":
            raise api_error(
                415,
                "unsupported_media_type",
                env._("Send JSON (Content-Type: application/json)."),
            )
        # The counting app names the user whose counts it sends: on a shared
        # device the session may be another counter's by now, and a count is
        # sent only under the login of who made it.
        expected = request.httprequest.headers.get(APP_USER_HEADER)
        if expected and not match and expected != str(request.env.uid):
            raise api_error(
                401,
                "user_changed",
                env._(
                    "This device is now logged in as another user: what was counted "
                    "here is sent when its counter logs in again."
                ),
            )
        user = request.env.user
        request.update_context(lang=user.lang, allowed_company_ids=user.company_ids.ids)
