from odoo import http
from odoo.http import request
from odoo.tools import file_open

APP = "/cycle_count/app"
NOMENCLATURE_FIELDS = [
    "name",
    "upc_ean_conv",
    "is_gs1_nomenclature",
    "gs1_separator_fnc1",
]
RULE_FIELDS = [
    "name",
    "sequence",
    "type",
    "encoding",
    "pattern",
    "alias",
    "gs1_content_type",
    "gs1_decimal_usage",
    "associated_uom_id",
]


class CycleCountApp(http.Controller):
    """The counting app: one page, its web manifest and its service worker."""

    @http.route(APP, type="http", auth="user", methods=["GET"], readonly=True)
    def app(self, **_kwargs):
        env = request.env
        response = request.render(
            "cycle_count_mobile.app_page",
            {
                "session_info": env["ir.http"].session_info(),
                "app_config": self._app_config(),
                "app_url": APP,
            },
        )
        # The service worker keeps its own copy for offline use.
        response.headers["Cache-Control"] = "no-store"
        return response

    def _app_config(self):
        env = request.env
        # sudo: the barcode rules are configuration every user's scanner needs.
        nomenclature = env.ref(
            "barcodes_gs1_nomenclature.default_gs1_nomenclature"
        ).sudo()
        config = nomenclature.read(NOMENCLATURE_FIELDS)[0]
        config["rules"] = sorted(
            nomenclature.rule_ids.read(RULE_FIELDS), key=lambda rule: rule["sequence"]
        )
        user = env.user
        return {
            "api": "/cycle_count/api/v1",
            "app": APP,
            "db": request.db,
            "user": {"id": user.id, "name": user.name, "lang": user.lang},
            "nomenclature": config,
            # What the app checks before sending: the API's own definitions.
            "counting": env["cycle.count.api"]._counting_rules(),
        }

    @http.route(
        f"{APP}/manifest.webmanifest", type="http", auth="public", methods=["GET"]
    )
    def manifest(self, **_kwargs):
        env = request.env
        manifest = {
            "name": env._("Cycle Count"),
            "short_name": env._("Count"),
            "description": env._("Count stock with a scanner or a phone, offline too."),
            "id": APP,
            "scope": APP,
            "start_url": APP,
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#ffffff",
            "theme_color": "#714B67",
            "icons": [
                {
                    "src": f"/cycle_count_mobile/static/img/icon-{size}.png",
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any",
                }
                for size in (192, 512)
            ],
        }
        return request.make_json_response(
            manifest, headers={"Content-Type": "application/manifest+json"}
        )

    @http.route(f"{APP}/sw.js", type="http", auth="public", methods=["GET"])
    def service_worker(self, **_kwargs):
        with file_open("cycle_count_mobile/static/src/service_worker.js") as worker:
            body = worker.read()
        return request.make_response(
            body,
            headers=[
                ("Content-Type", "text/javascript"),
                ("Service-Worker-Allowed", APP),
                ("Cache-Control", "no-cache"),
            ],
        )
