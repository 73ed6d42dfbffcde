import json

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request


def json_response(payload, status=200):
    return request.make_json_response(payload, status=status)


def error_response(status, code, message):
    return json_response({"error": {"code": code, "message": message}}, status=status)


class CycleCountApi(http.Controller):
    """Counting API, version 1. Thin: parse, call the model, map errors to HTTP."""

    @http.route(
        "/cycle_count/api/v1/tasks/<int:task_id>/counts",
        type="http",
        auth="cycle_count_api",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def submit_counts(self, task_id, **_kwargs):
        env = request.env
        try:
            payload = json.loads(request.httprequest.get_data() or b"null")
        except ValueError:
            return error_response(
                400, "malformed_json", env._("The request body is not valid JSON.")
            )
        if not isinstance(payload, dict):
            return error_response(
                400,
                "malformed_json",
                env._('The request body must be a JSON object with a "counts" list.'),
            )
        task = env["cycle.count.task"].browse(task_id)
        try:
            # Nothing of a refused batch may stay written.
            with env.cr.savepoint():
                if not task.exists():
                    raise MissingError(
                        env._("Count task %(task)s does not exist.", task=task_id)
                    )
                lines = task.submit_counts(payload.get("counts"))
        except AccessError as error:
            return error_response(403, "forbidden", str(error))
        except MissingError as error:
            return error_response(404, "not_found", str(error))
        except ValidationError as error:
            return error_response(422, "invalid_count", str(error))
        except UserError as error:
            return error_response(409, "task_not_open", str(error))
        return json_response(
            {
                "task_id": task.id,
                "task_state": task.state,
                "accepted": len(lines),
                "lines": [
                    {
                        "line_id": line.id,
                        "counted_qty": line.counted_qty,
                        "counted_at": line.counted_at.isoformat(),
                    }
                    for line in lines
                ],
            }
        )
