import copy
import json
import logging
import re
import time
from functools import cache

import psycopg2
import psycopg2.errors

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import file_open

from .. import api_payload
from ..exceptions import (
    ClientIdReused,
    CountBatchError,
    InvalidInput,
    NotAnImage,
    PayloadTooLarge,
    TaskNotOpen,
)

_logger = logging.getLogger(__name__)

API = "/cycle_count/api/v1"


def json_response(payload, status=200):
    return request.make_json_response(payload, status=status)


def error_response(status, code, message, items=None):
    error = {"code": code, "message": message}
    if items is not None:
        error["items"] = items
    return json_response({"error": error}, status=status)


def _read_json(max_bytes, schema):
    """The body as a JSON object of ``schema`` (api_payload.REQUEST_FIELDS): no
    member the document does not list."""
    httprequest = request.httprequest
    payload = api_payload.read_json(
        httprequest.get_data(),
        max_bytes,
        content_type=httprequest.mimetype,
        charset=httprequest.mimetype_params.get("charset"),
    )
    api_payload.check_fields(schema, payload)
    return payload


def _allowed_methods(path):
    """The methods openapi.json documents for ``path`` (under the API), or None."""
    files = tuple(request.env["cycle.count.api"]._openapi_files())
    for pattern, methods in _documented_paths(files):
        if pattern.fullmatch(path):
            return methods
    return None


def _handle(func, operation, write=False):
    """Check the query parameters of ``operation``, run ``func`` and map what the
    models raise to the API's JSON errors. A write runs in a savepoint: nothing
    of a refused request stays written."""
    env = request.env
    httprequest = request.httprequest
    if httprequest.method == "OPTIONS":
        # Odoo routes OPTIONS to every endpoint: it asks what the path allows.
        response = request.make_response("", status=204)
        methods = _allowed_methods(httprequest.path.removeprefix(API))
        response.headers["Allow"] = ", ".join([*methods, "OPTIONS"])
        return response
    try:
        # The query string only: a form body is refused as not JSON.
        api_payload.check_parameters(operation, httprequest.args)
        if write:
            with env.cr.savepoint():
                return func()
        return func()
    except api_payload.PayloadError as error:
        return error_response(
            error.status,
            error.code,
            env["cycle.count.api"]._payload_message(error),
        )
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
    except psycopg2.errors.LockNotAvailable:
        # Another batch of the same task is being applied (cycle.count.api
        # _lock_task): the client sends again, as for a client id clash.
        _logger.info("Counting API: task busy, the client is told to resend")
        return error_response(
            409,
            "conflict",
            env._("Another batch of this task is being applied; send this one again."),
        )
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


def _record(model, record_id):
    """The record of a path's id; an id beyond PostgreSQL's integers does not
    exist either (instead of an error of the database)."""
    env = request.env
    record = env[model]
    if 0 < record_id <= api_payload.MAX_ID:
        record = record.browse(record_id).exists()
    if not record:
        if model == "cycle.count.line":
            message = env._("Count line %(line)s does not exist.", line=record_id)
        else:
            message = env._("Count task %(task)s does not exist.", task=record_id)
        raise MissingError(message)
    return record


def _task(task_id):
    return _record("cycle.count.task", task_id)


@cache
def _load_spec(files):
    """The OpenAPI document of ``files`` (cycle.count.api._openapi_files): the
    first, with the paths and schemas of the others (the bridges' routes)."""
    spec = None
    for path in files:
        with file_open(path) as document:
            part = json.load(document)
        if spec is None:
            spec = part
            continue
        spec["paths"].update(part.get("paths", {}))
        spec["components"]["schemas"].update(
            part.get("components", {}).get("schemas", {})
        )
    return spec


@cache
def _documented_paths(files):
    """``(regex, methods)`` of every path of openapi.json: a known path asked with
    another method answers 405, not 404."""
    paths = _load_spec(files)["paths"]
    return [
        (
            re.compile(re.sub(r"\\\{\w+\\\}", r"[0-9]+", re.escape(template))),
            sorted(method.upper() for method in operations),
        )
        for template, operations in paths.items()
    ]


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
    def list_tasks(self, **params):
        def run():
            day = api_payload.date_param(params.get("date"))
            return json_response(
                {"tasks": request.env["cycle.count.api"]._get_tasks(day)}
            )

        return _handle(run, "listTasks")

    @http.route(f"{API}/tasks/<int:task_id>", methods=["GET"], readonly=True, **_route)
    def get_task(self, task_id, **_kwargs):
        return _handle(
            lambda: json_response(
                request.env["cycle.count.api"]._get_task(_task(task_id))
            ),
            "getTask",
        )

    @http.route(f"{API}/tasks/<int:task_id>/counts", methods=["POST"], **_route)
    def submit_counts(self, task_id, **_kwargs):
        def run():
            payload = _read_json(api_payload.MAX_COUNTS_BODY, "CountBatch")
            return json_response(
                request.env["cycle.count.api"]._submit_counts(
                    _task(task_id), payload.get("counts")
                )
            )

        started = time.perf_counter()
        response = _handle(run, "submitCounts", write=True)
        # The server's own time for the batch (parsing, checks, writes flushed at
        # the savepoint; not the commit): what clients and the benchmark read.
        response.headers["Server-Timing"] = (
            f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        )
        return response

    @http.route(f"{API}/tasks/<int:task_id>/counted", methods=["POST"], **_route)
    def mark_counted(self, task_id, **_kwargs):
        def run():
            _read_json(api_payload.MAX_COUNTS_BODY, "MarkCounted")
            return json_response(
                request.env["cycle.count.api"]._mark_counted(_task(task_id))
            )

        return _handle(run, "markCounted", write=True)

    @http.route(
        f"{API}/tasks/<int:task_id>/variances", methods=["GET"], readonly=True, **_route
    )
    def get_variances(self, task_id, **_kwargs):
        return _handle(
            lambda: json_response(
                request.env["cycle.count.api"]._get_variances(_task(task_id))
            ),
            "getVariances",
        )

    @http.route(f"{API}/lines/<int:line_id>/photos", methods=["POST"], **_route)
    def upload_photo(self, line_id, **_kwargs):
        def run():
            env = request.env
            payload = _read_json(api_payload.MAX_PHOTO_BODY, "PhotoUpload")
            line = _record("cycle.count.line", line_id)
            attachment, duplicate = env["cycle.count.api"]._add_photo(line, payload)
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

        return _handle(run, "uploadPhoto", write=True)

    @http.route(f"{API}/catalog", methods=["GET"], readonly=True, **_route)
    def get_catalog(self, **params):
        def run():
            return json_response(
                request.env["cycle.count.api"]._get_catalog(
                    after_id=api_payload.int_param(
                        "after_id", params.get("after_id"), 0, 0, api_payload.MAX_ID
                    ),
                    limit=api_payload.int_param(
                        "limit",
                        params.get("limit"),
                        api_payload.MAX_CATALOG_PAGE,
                        1,
                        api_payload.MAX_CATALOG_PAGE,
                    ),
                )
            )

        return _handle(run, "getCatalog")

    @http.route(f"{API}/products", methods=["GET"], readonly=True, **_route)
    def search_products(self, q=None, limit=None, **_kwargs):
        def run():
            return json_response(
                request.env["cycle.count.api"]._search_products(
                    api_payload.query_param(q),
                    limit=api_payload.int_param(
                        "limit",
                        limit,
                        api_payload.MAX_SEARCH_RESULTS,
                        1,
                        api_payload.MAX_SEARCH_RESULTS,
                    ),
                )
            )

        return _handle(run, "searchProducts")

    @http.route(
        f"{API}/openapi.json",
        type="http",
        auth="none",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def openapi(self, **_kwargs):
        def run():
            files = tuple(request.env["cycle.count.api"]._openapi_files())
            spec = copy.deepcopy(_load_spec(files))
            spec["servers"] = [{"url": request.httprequest.host_url.rstrip("/") + API}]
            return json_response(spec)

        return _handle(run, "getOpenApi")

    @http.route(
        [f"{API}/<path:unknown>"],
        type="http",
        auth="none",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        csrf=False,
        save_session=False,
    )
    def unknown_endpoint(self, unknown, **_kwargs):
        method = request.httprequest.method
        methods = _allowed_methods(f"/{unknown}")
        if methods:
            response = error_response(
                405,
                "method_not_allowed",
                request.env._(
                    "%(path)s answers %(methods)s, not %(method)s.",
                    path=f"{API}/{unknown}",
                    methods=", ".join(methods),
                    method=method,
                ),
            )
            response.headers["Allow"] = ", ".join(methods)
            return response
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
