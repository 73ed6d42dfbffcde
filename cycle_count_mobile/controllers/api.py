import base64
import binascii
import json
import logging
import time

import psycopg2

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import file_open

from ..exceptions import (
    ClientIdReused,
    CountBatchError,
    InvalidInput,
    NotAnImage,
    PayloadTooLarge,
    TaskNotOpen,
)
from ..models.cycle_count_task import CLIENT_ID

_logger = logging.getLogger(__name__)

API = "/cycle_count/api/v1"
# Larger bodies are refused before parsing: 500 counts fit in far less.
MAX_COUNTS_BODY = 1024 * 1024
# A 5 MB photo in base64 plus the JSON around it.
MAX_PHOTO_BODY = 7 * 1024 * 1024
MAX_CATALOG_PAGE = 5000


def json_response(payload, status=200):
    return request.make_json_response(payload, status=status)


def error_response(status, code, message, items=None):
    error = {"code": code, "message": message}
    if items is not None:
        error["items"] = items
    return json_response({"error": error}, status=status)


class ApiError(Exception):
    """A request refused before reaching the models (bad JSON, bad parameter)."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _read_json(max_bytes):
    env = request.env
    data = request.httprequest.get_data()
    if len(data) > max_bytes:
        raise ApiError(
            413,
            "payload_too_large",
            env._(
                "The request body is %(size)s KB; at most %(max)s KB is accepted.",
                size=len(data) // 1024,
                max=max_bytes // 1024,
            ),
        )
    try:
        payload = json.loads(data or b"null")
    except ValueError:
        raise ApiError(
            400, "malformed_json", env._("The request body is not valid JSON.")
        ) from None
    if not isinstance(payload, dict):
        raise ApiError(
            400,
            "malformed_json",
            env._("The request body must be a JSON object."),
        )
    return payload


def _int_param(name, value, default, minimum, maximum):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:
        raise ApiError(
            400,
            "invalid_parameter",
            request.env._(
                "Parameter %(name)s must be an integer from %(min)s to %(max)s.",
                name=name,
                min=minimum,
                max=maximum,
            ),
        )
    return number


def _handle(func, write=False):
    """Run ``func`` and map what the models raise to the API's JSON errors. A
    write runs in a savepoint: nothing of a refused request stays written."""
    env = request.env
    try:
        if write:
            with env.cr.savepoint():
                return func()
        return func()
    except ApiError as error:
        return error_response(error.status, error.code, error.message)
    except PayloadTooLarge as error:
        return error_response(413, error.code, str(error))
    except NotAnImage as error:
        return error_response(415, error.code, str(error))
    except CountBatchError as error:
        return error_response(422, error.code, str(error), items=error.items)
    except (ClientIdReused, InvalidInput) as error:
        return error_response(422, error.code, str(error))
    except AccessError as error:
        return error_response(403, "forbidden", str(error))
    except MissingError as error:
        return error_response(404, "not_found", str(error))
    except ValidationError as error:
        return error_response(422, "invalid_count", str(error))
    except TaskNotOpen as error:
        return error_response(409, error.code, str(error))
    except UserError as error:
        return error_response(409, "conflict", str(error))
    except psycopg2.IntegrityError:
        # Two requests carried the same client id at the same moment: the
        # unique constraint kept the second out. Sending again gives "duplicate".
        _logger.info("Counting API: client id clash, the client is told to resend")
        return error_response(
            409,
            "conflict",
            env._(
                "Another request with the same client ids was being applied; send "
                "this one again."
            ),
        )


def _task(task_id):
    env = request.env
    task = env["cycle.count.task"].browse(task_id).exists()
    if not task:
        raise MissingError(env._("Count task %(task)s does not exist.", task=task_id))
    return task


class CycleCountApi(http.Controller):
    """Counting API, version 1. Thin: parse, call the model, map errors to HTTP.
    Described in ``openapi.json`` (served below)."""

    _route = {
        "type": "http",
        "auth": "cycle_count_api",
        "csrf": False,
        "save_session": False,
    }

    @http.route(f"{API}/tasks", methods=["GET"], readonly=True, **_route)
    def list_tasks(self, date=None, **_kwargs):
        def run():
            env = request.env
            day = None
            if date:
                try:
                    day = fields.Date.to_date(date)
                except ValueError:
                    day = None
                if not day:
                    raise ApiError(
                        400,
                        "invalid_parameter",
                        env._("Parameter date must be a date such as 2025-03-01."),
                    )
            return json_response(
                {"tasks": env["cycle.count.task"]._get_device_tasks(day)}
            )

        return _handle(run)

    @http.route(f"{API}/tasks/<int:task_id>", methods=["GET"], readonly=True, **_route)
    def get_task(self, task_id, **_kwargs):
        return _handle(lambda: json_response(_task(task_id)._get_device_task()))

    @http.route(f"{API}/tasks/<int:task_id>/counts", methods=["POST"], **_route)
    def submit_counts(self, task_id, **_kwargs):
        def run():
            payload = _read_json(MAX_COUNTS_BODY)
            task = _task(task_id)
            return json_response(task._submit_device_counts(payload.get("counts")))

        started = time.perf_counter()
        response = _handle(run, write=True)
        # The server's own time for the batch (parsing, checks, writes flushed at
        # the savepoint; not the commit): what clients and the benchmark read.
        response.headers["Server-Timing"] = (
            f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        )
        return response

    @http.route(f"{API}/tasks/<int:task_id>/counted", methods=["POST"], **_route)
    def mark_counted(self, task_id, **_kwargs):
        def run():
            _read_json(MAX_COUNTS_BODY)
            return json_response(_task(task_id)._device_mark_counted())

        return _handle(run, write=True)

    @http.route(
        f"{API}/tasks/<int:task_id>/variances", methods=["GET"], readonly=True, **_route
    )
    def get_variances(self, task_id, **_kwargs):
        return _handle(lambda: json_response(_task(task_id)._get_device_variances()))

    @http.route(f"{API}/lines/<int:line_id>/photos", methods=["POST"], **_route)
    def upload_photo(self, line_id, **_kwargs):
        def run():
            env = request.env
            payload = _read_json(MAX_PHOTO_BODY)
            client_id = payload.get("client_id")
            filename = payload.get("filename")
            data = payload.get("data")
            if client_id is not None and (
                not isinstance(client_id, str) or not CLIENT_ID.match(client_id)
            ):
                raise InvalidInput(
                    env._(
                        "client_id must be a string of 1 to 64 letters, digits or "
                        "._:- (a UUID is best)."
                    ),
                    code="invalid_client_id",
                )
            if filename is not None and not isinstance(filename, str):
                raise InvalidInput(
                    env._("filename must be a string."), code="invalid_filename"
                )
            try:
                if not isinstance(data, str) or not data:
                    raise ValueError
                raw = base64.b64decode(data, validate=True)
            except (ValueError, binascii.Error):
                raise InvalidInput(
                    env._("data must be the photo's bytes in base64."),
                    code="invalid_data",
                ) from None
            line = env["cycle.count.line"].browse(line_id).exists()
            if not line:
                raise MissingError(
                    env._("Count line %(line)s does not exist.", line=line_id)
                )
            attachment, duplicate = line._add_device_photo(client_id, filename, raw)
            return json_response(
                {
                    "line_id": line.id,
                    "attachment_id": attachment.id,
                    "name": attachment.name,
                    "mimetype": attachment.mimetype,
                    "duplicate": duplicate,
                },
                status=200 if duplicate else 201,
            )

        return _handle(run, write=True)

    @http.route(f"{API}/catalog", methods=["GET"], readonly=True, **_route)
    def get_catalog(self, after_id=None, limit=None, **_kwargs):
        def run():
            return json_response(
                request.env["cycle.count.task"]._get_device_catalog(
                    after_id=_int_param("after_id", after_id, 0, 0, 2**31 - 1),
                    limit=_int_param(
                        "limit", limit, MAX_CATALOG_PAGE, 1, MAX_CATALOG_PAGE
                    ),
                )
            )

        return _handle(run)

    @http.route(
        f"{API}/openapi.json",
        type="http",
        auth="none",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def openapi(self, **_kwargs):
        with file_open("cycle_count_mobile/static/api/openapi.json") as document:
            spec = json.load(document)
        spec["servers"] = [{"url": request.httprequest.host_url.rstrip("/") + API}]
        return json_response(spec)

    @http.route(
        [f"{API}/<path:unknown>"],
        type="http",
        auth="none",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        csrf=False,
        save_session=False,
    )
    def unknown_endpoint(self, unknown, **_kwargs):
        return error_response(
            404,
            "unknown_endpoint",
            request.env._(
                "There is no endpoint %(method)s %(path)s; the API is described at "
                "%(spec)s.",
                method=request.httprequest.method,
                path=f"{API}/{unknown}",
                spec=f"{API}/openapi.json",
            ),
        )
