import base64
import io
import struct
import warnings
from collections import defaultdict

from PIL import Image, WebPImagePlugin

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.cycle_count_planning.models.cycle_count_line import (
    REVIEWER_GROUPS as REVIEWER_GROUPS_FIELD_ATTR,
)
from odoo.addons.cycle_count_planning.models.cycle_count_line import CountRefused
from odoo.addons.cycle_count_planning.models.cycle_count_task import (
    COUNTING_STATES,
    SUBMITTED_STATES,
)

from .. import api_payload
from ..exceptions import (
    ClientIdReused,
    CountBatchError,
    InvalidInput,
    NotAnImage,
    PayloadTooLarge,
    TaskNotOpen,
)

# The groups that see book figures (planning's REVIEWER_GROUPS, one by one).
REVIEWER_GROUPS = tuple(REVIEWER_GROUPS_FIELD_ATTR.split(","))
PROGRESS_NOTIFICATION = "cycle_count/task_progress"
# The image formats a photo may have (PIL's names): its mimetype and extension.
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    WebPImagePlugin.WebPImageFile.format: ("image/webp", "webp"),
}
# What PIL's decoders raise on a file that is not what its first bytes say.
IMAGE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)


class CycleCountApi(models.AbstractModel):
    """The counting API's payloads and orchestration, for the app and for
    integrations: what a device reads (never a book quantity to a counter), and
    counts and photos applied exactly once by their client ids. The counting
    itself is the counting base's (``cycle.count.line._apply_counts``); the
    payload's shape is checked by the plain module ``api_payload``; the
    controllers only parse HTTP and map errors."""

    _name = "cycle.count.api"
    _description = "Cycle Count API"

    @api.model
    def _openapi_files(self):
        """The OpenAPI documents of the routes this database serves: the
        counting API's, then a bridge's that adds routes (extend with super())."""
        return ["cycle_count_mobile/static/api/openapi.json"]

    # ------------------------------------------------------------------
    # Payload errors: codes of api_payload, messages here (translated)
    # ------------------------------------------------------------------
    @api.model
    def _payload_message(self, error):
        """The translated message of an :class:`api_payload.PayloadError`."""
        env = self.env
        params = dict(error.params)
        if error.index is not None:
            params["index"] = error.index + 1
        messages = {
            "payload_too_large": lambda: env._(
                "The request body is %(size)s KB; at most %(max)s KB is accepted.",
                **params,
            ),
            "malformed_json": lambda: {
                "object": lambda: env._("The request body must be a JSON object."),
                "number": lambda: env._(
                    "The request body holds a number that is not finite (NaN, "
                    "Infinity or beyond 1e308): send plain JSON numbers."
                ),
                "encoding": lambda: env._("The request body must be UTF-8 text."),
            }.get(
                error.params.get("what"),
                lambda: env._("The request body is not valid JSON."),
            )(),
            "unsupported_media_type": lambda: env._(
                "Send the body as JSON in UTF-8 (Content-Type: application/json)."
            ),
            "unknown_field": lambda: (
                env._(
                    'Count #%(index)s: there is no field "%(field)s"; a count has '
                    "%(allowed)s.",
                    **params,
                )
                if error.index is not None
                else env._(
                    'There is no field "%(field)s" in this request; it takes '
                    "%(allowed)s.",
                    **params,
                )
            ),
            "unknown_parameter": lambda: env._(
                'There is no parameter "%(name)s" here; this endpoint takes '
                "%(allowed)s.",
                **params,
            ),
            "invalid_parameter": lambda: (
                env._("Parameter date must be a date such as 2025-03-01.")
                if error.params.get("name") == "date" and "min" not in error.params
                else env._(
                    "Parameter %(name)s must be an integer from %(min)s to %(max)s.",
                    **params,
                )
            ),
            "invalid_count": lambda: env._(
                '"counts" must be a non-empty list of counts.'
            ),
            "batch_too_large": lambda: env._(
                "A batch holds at most %(max)s counts (this one has %(count)s); "
                "send them in several batches.",
                **params,
            ),
            "not_an_object": lambda: env._(
                "Count #%(index)s must be an object with a quantity and a line_id "
                "(or a location_id and a product_id).",
                **params,
            ),
            "invalid_client_id": lambda: (
                env._(
                    "Count #%(index)s: client_id must be a string of 1 to 64 letters, "
                    "digits or ._:- (a UUID is best).",
                    **params,
                )
                if error.index is not None
                else env._(
                    "client_id must be a string of 1 to 64 letters, digits or "
                    "._:- (a UUID is best)."
                )
            ),
            "not_a_number": lambda: env._(
                "Count #%(index)s: quantity must be a number.", **params
            ),
            "quantity_too_large": lambda: env._(
                "Count #%(index)s: quantity is larger than %(max)s; check the "
                "unit of measure and what was scanned.",
                **params,
            ),
            "invalid_id": lambda: env._(
                "Count #%(index)s: %(field)s must be a positive integer.", **params
            ),
            "ambiguous_item": lambda: (
                env._("Count #%(index)s: give lot_id or lot_name, not both.", **params)
                if error.params.get("what") == "lot"
                else env._(
                    "Count #%(index)s: give either line_id or location_id and "
                    "product_id, not both.",
                    **params,
                )
            ),
            "missing_item": lambda: env._(
                "Count #%(index)s: say what was counted: a line_id, or a "
                "location_id and a product_id for an item the task does not list.",
                **params,
            ),
            "invalid_lot_name": lambda: env._(
                "Count #%(index)s: lot_name must be a non-empty string of at most "
                "%(max)s characters.",
                **params,
            ),
            "invalid_note": lambda: env._(
                "Count #%(index)s: note must be a string of at most %(max)s "
                "characters.",
                **params,
            ),
            "invalid_query": lambda: env._(
                "Parameter q must be a text of %(min)s to %(max)s characters.",
                **params,
            ),
            "invalid_hint": lambda: env._(
                "Count #%(index)s: hint must be one of the hints' codes (a string).",
                **params,
            ),
            "invalid_counted_at": lambda: env._(
                "Count #%(index)s: counted_at must be an ISO 8601 date and time, "
                'such as "2025-03-01T08:30:00Z".',
                **params,
            ),
            "counted_at_out_of_range": lambda: env._(
                "Count #%(index)s: counted_at must lie between %(min)s and %(max)s; "
                "check the device's clock.",
                **params,
            ),
            "duplicate_client_id": lambda: env._(
                "Count #%(index)s: client id %(client)s appears twice in this batch; "
                "each count needs its own.",
                **params,
            ),
            "duplicate_line": lambda: env._(
                "Count #%(index)s: its line appears twice in this batch; without "
                "client ids the counts cannot be ordered.",
                **params,
            ),
            "invalid_filename": lambda: env._(
                "filename must be a string of at most %(max)s characters.", **params
            ),
            "invalid_data": lambda: env._("data must be the photo's bytes in base64."),
            "photo_too_large": lambda: (
                env._(
                    "The photo has %(pixels)s megapixels; at most %(max)s are "
                    "accepted. Send a smaller JPEG (the app compresses to about "
                    "1600 pixels).",
                    **params,
                )
                if "pixels" in error.params
                else env._(
                    "The photo is %(size)s MB; at most %(max)s MB is accepted. Send "
                    "a smaller JPEG (the app compresses to about 1600 pixels).",
                    **params,
                )
            ),
        }
        return messages[error.code]()

    @api.model
    def _raise_payload_error(self, error):
        """Turn a refusal of the whole request into the API's exception."""
        message = self._payload_message(error)
        if error.status == 413:
            raise PayloadTooLarge(message, code=error.code)
        if error.code == "not_an_image":
            raise NotAnImage(message)
        if error.code == "invalid_count":
            raise CountBatchError(message)
        raise InvalidInput(message, code=error.code)

    @api.model
    def _item_refusal(self, error):
        return {
            "index": error.index,
            "client_id": error.client_id,
            "code": error.code,
            "message": self._payload_message(error),
        }

    # ------------------------------------------------------------------
    # Reading, for devices and integrations (never a book quantity)
    # ------------------------------------------------------------------
    @api.model
    def _check_task_access(self, tasks, operation):
        """The UI's rights (ACL and record rules), with a message that says what
        is wrong instead of the generic one."""
        try:
            tasks.check_access(operation)
        except AccessError as error:
            # The counter's own task, submitted (which the rules then hide): "no
            # longer open", as any closed task, whatever became of the counts.
            try:
                tasks._check_not_submitted()
            except UserError as submitted:
                if operation == "read":
                    raise AccessError(str(submitted)) from error
                raise TaskNotOpen(str(submitted)) from error
            task = ", ".join(str(task_id) for task_id in tasks.ids)
            if operation == "read":
                message = self.env._(
                    "You cannot see count task %(task)s: it is assigned to another "
                    "counter or belongs to a company you do not work for.",
                    task=task,
                )
            else:
                message = self.env._(
                    "You cannot count on task %(task)s: it is assigned to another "
                    "counter or belongs to a company you do not work for.",
                    task=task,
                )
            raise AccessError(message) from error

    @api.model
    def _check_open(self, task):
        """Counts only on a task that accepts them (planning's rule), answered as
        the API's ``task_not_open``."""
        try:
            task._check_open_for_counting()
        except UserError as error:
            raise TaskNotOpen(str(error)) from error

    @api.model
    def _get_tasks(self, date=None):
        """The current user's open tasks scheduled up to ``date`` (default today):
        today's and the overdue ones."""
        date = date or fields.Date.context_today(self)
        tasks = self.env["cycle.count.task"].search(
            [
                ("user_id", "=", self.env.uid),
                ("state", "in", COUNTING_STATES),
                ("scheduled_date", "<=", date),
            ],
            order="scheduled_date, id",
        )
        # Overdue is against today, whatever day was asked for: as for one task.
        return [self._task_summary(task) for task in tasks]

    @api.model
    def _task_summary(self, task, today=None):
        today = today or fields.Date.context_today(self)
        return {
            "id": task.id,
            "name": task.name,
            "state": task.state,
            "is_open_for_counting": task.is_open_for_counting,
            "scheduled_date": fields.Date.to_string(task.scheduled_date),
            "overdue": task.scheduled_date < today,
            "warehouse": {"id": task.warehouse_id.id, "name": task.warehouse_id.name},
            "company": {"id": task.company_id.id, "name": task.company_id.name},
            "user_id": task.user_id.id or None,
            "line_count": task.line_count,
            "counted_line_count": task.counted_line_count,
            "progress": task.progress,
            # Sent back to be counted again, and why (the reviewer's words): never
            # a book quantity or an earlier count.
            "is_recount": task.is_recount,
            "recount_reason": task.recount_reason or None,
        }

    @api.model
    def _get_task(self, task):
        """The task with its lines, the lots of its tracked products and its
        locations: what a device needs to count it offline. Blind: no book
        quantity, no difference, no value."""
        task.ensure_one()
        self._check_task_access(task, "read")
        lines = task.line_ids
        lines.fetch(
            [
                "location_id",
                "product_id",
                "lot_id",
                "package_id",
                "is_counted",
                "counted_qty",
                "counted_at",
                "is_found",
                "attachment_ids",
                "note",
            ]
        )
        products = lines.product_id
        payload = self._task_summary(task)
        payload["locations"] = [
            self._location(location) for location in lines.location_id
        ]
        # With their thumbnails: kept on the device with the task, for offline.
        payload["products"] = self._products(products, images=True)
        payload["lots"] = self._lots(
            task, products.filtered(lambda product: product.tracking != "none")
        )
        payload["lines"] = [self._line(line) for line in lines]
        return payload

    @api.model
    def _line(self, line):
        """A line as a device sees it: what to count and what was counted there,
        never the book quantity."""
        return {
            "id": line.id,
            "location_id": line.location_id.id,
            "product_id": line.product_id.id,
            "lot": {"id": line.lot_id.id, "name": line.lot_id.name}
            if line.lot_id
            else None,
            "package": {"id": line.package_id.id, "name": line.package_id.name}
            if line.package_id
            else None,
            "is_counted": line.is_counted,
            "counted_qty": line.counted_qty if line.is_counted else None,
            "counted_at": self._datetime(line.counted_at),
            "is_found": line.is_found,
            "note": line.note or None,
            "hint": line.count_hint or None,
            "photo_count": len(line.attachment_ids),
        }

    @api.model
    def _location(self, location):
        return {
            "id": location.id,
            "name": location.complete_name,
            # The bin's own name, shown big on the device (the path on demand).
            "short_name": location.name,
            "barcode": location.barcode or None,
        }

    @api.model
    def _thumbnail(self, product):
        """The product's 128-pixel image as a data URL (or None): small enough to
        keep on the device with the task."""
        image = product.image_128
        if not image:
            return None
        mimetype = guess_mimetype(base64.b64decode(image), default="image/png")
        return f"data:{mimetype};base64,{image.decode()}"

    @api.model
    def _products(self, products, images=False):
        packagings = self.env["product.packaging"].search_fetch(
            [("product_id", "in", products.ids), ("barcode", "!=", False)],
            ["product_id", "barcode", "qty", "name"],
        )
        by_product = defaultdict(list)
        for packaging in packagings:
            by_product[packaging.product_id.id].append(
                {
                    "barcode": packaging.barcode,
                    "qty": packaging.qty,
                    "name": packaging.name,
                }
            )
        return [
            {
                "id": product.id,
                "name": product.display_name,
                "default_code": product.default_code or None,
                "barcode": product.barcode or None,
                "tracking": product.tracking,
                "uom": product.uom_id.name,
                "packagings": by_product[product.id],
                **({"image": self._thumbnail(product)} if images else {}),
            }
            for product in products
        ]

    @api.model
    def _lots(self, task, products):
        """Lots and serials of ``products`` in the task's company, so that a
        scanned lot name is recognised without a server round trip."""
        if not products:
            return []
        # sudo: counters read lots of their task's products; only names are sent.
        lots = (
            self.env["stock.lot"]
            .sudo()
            .search_fetch(
                [
                    ("product_id", "in", products.ids),
                    ("company_id", "in", [task.company_id.id, False]),
                ],
                ["name", "product_id"],
            )
        )
        return [
            {"id": lot.id, "name": lot.name, "product_id": lot.product_id.id}
            for lot in lots
        ]

    @api.model
    def _get_catalog(self, after_id=0, limit=api_payload.MAX_CATALOG_PAGE):
        """The storable products (with their packaging barcodes) and internal
        locations of the user's companies, for local lookups of items found where
        the task did not list them. Products are paged by id."""
        products = self.env["product.product"].search(
            [("is_storable", "=", True), ("id", ">", after_id)], order="id", limit=limit
        )
        products.fetch(["display_name", "default_code", "barcode", "tracking"])
        locations = self.env["stock.location"].search(
            [
                ("usage", "=", "internal"),
                ("company_id", "in", self.env.companies.ids),
            ],
            order="complete_name",
        )
        return {
            "products": self._products(products),
            "next_after_id": products[-1].id if len(products) == limit else None,
            "locations": [self._location(location) for location in locations]
            if not after_id
            else [],
        }

    @api.model
    def _search_products(self, query, limit=api_payload.MAX_SEARCH_RESULTS):
        """Storable products of the user's companies whose name, internal
        reference (default code) or barcode contains ``query``, or one of whose
        packagings has it as barcode: a found item without a readable label. With
        thumbnails, as for a task."""
        products = self.env["product.product"].search(
            [
                ("is_storable", "=", True),
                "|",
                "|",
                "|",
                ("name", "ilike", query),
                ("default_code", "ilike", query),
                ("barcode", "ilike", query),
                ("packaging_ids.barcode", "=", query),
            ],
            order="default_code, name, id",
            limit=limit,
        )
        products.fetch(["display_name", "default_code", "barcode", "tracking"])
        return {"products": self._products(products, images=True)}

    @api.model
    def _get_variances(self, task):
        """Book and counted quantities, differences and values: for supervisors and
        finance only, as on the screens."""
        task.ensure_one()
        self._check_task_access(task, "read")
        if not any(self.env.user.has_group(group) for group in REVIEWER_GROUPS):
            raise AccessError(
                self.env._(
                    "Only supervisors and finance managers see book quantities and "
                    "variances; counters count blind."
                )
            )
        lines = task.line_ids
        return {
            **self._task_summary(task),
            "currency": task.company_id.currency_id.name,
            "total_variance_value": task.company_id.currency_id.round(
                sum(lines.mapped("variance_value"))
            ),
            "lines": [
                {
                    "line_id": line.id,
                    "product": {
                        "id": line.product_id.id,
                        "name": line.product_id.display_name,
                        "default_code": line.product_id.default_code or None,
                    },
                    "location": {
                        "id": line.location_id.id,
                        "name": line.location_id.complete_name,
                    },
                    "lot": line.lot_id.name or None,
                    "is_counted": line.is_counted,
                    "is_found": line.is_found,
                    "book_qty": line.book_qty if line.is_counted else None,
                    "counted_qty": line.counted_qty if line.is_counted else None,
                    "difference_qty": line.difference_qty,
                    "variance_value": line.variance_value,
                    "unit_cost": line.unit_cost,
                    "reason": line.reason_id.name or None,
                    "counter": line.counter_id.name or None,
                    "counted_at": self._datetime(line.counted_at),
                    "photo_ids": line.attachment_ids.ids,
                }
                for line in lines
            ],
        }

    @api.model
    def _datetime(self, value):
        """UTC, ISO 8601 with a Z, or None."""
        return value.isoformat(timespec="seconds") + "Z" if value else None

    # ------------------------------------------------------------------
    # Counting, exactly once
    # ------------------------------------------------------------------
    @api.model
    def _submit_counts(self, task, counts):
        """Apply a batch of counts from a device or an integration, each at most
        once by its client id, and return each count's result.

        Each count gives the whole quantity of one item at the moment it was
        made: ``{"client_id", "line_id" | "location_id" + "product_id" (+ "lot_id"
        | "lot_name", "package_id"), "quantity", "counted_at", "note"}``; the
        counting base records it (the later count wins, found items become
        lines: ``cycle.count.line._apply_counts``).

        All or nothing: if any count is refused, nothing of the batch is written
        and :class:`CountBatchError` lists every refused count. A count sent
        again (same client id) is not applied again: its result is
        ``duplicate``."""
        task.ensure_one()
        try:
            items, parse_errors = api_payload.parse_counts(counts)
        except api_payload.PayloadError as error:
            self._raise_payload_error(error)
        errors = [self._item_refusal(error) for error in parse_errors]
        refused = {error["index"] for error in errors}
        items = [item for item in items if item["index"] not in refused]

        results = {}
        duplicates = self._find_duplicates(task, items, errors)
        for index, record in duplicates.items():
            results[index] = {
                "index": index,
                "client_id": record.client_ref,
                "status": "duplicate",
                "line_id": record.line_id.id,
            }
        refused = {error["index"] for error in errors}
        new_items = [
            item
            for item in items
            if item["index"] not in results and item["index"] not in refused
        ]
        applied_lines = self.env["cycle.count.line"]
        if new_items:
            self._check_task_access(task, "write")
            self._check_open(task)
            # Row lock and write first: a concurrent batch of this task waits, then
            # fails with a serialization error and is retried by Odoo, seeing the
            # sync records of this one (the unique client id is the safety net).
            self._lock_task(task)
            # sudo: the time of the last sync is the system's, not the counter's.
            task.sudo().write({"device_sync_date": fields.Datetime.now()})
            task.sudo().flush_recordset(["device_sync_date"])
            lines = self.env["cycle.count.line"]
            if errors:
                # Refused anyway: collect what the counting base would refuse too.
                errors += self._base_refusals(
                    new_items, lines._check_counts(task, new_items)
                )
            else:
                try:
                    counted = lines._apply_counts(task, new_items)
                except CountRefused as error:
                    errors += self._base_refusals(new_items, error.items)
                else:
                    applied_lines = self._record_sync(task, new_items, counted, results)
        self._raise_if_refused(errors)
        return {
            "task_id": task.id,
            # A retry of counts already applied is answered even when the task
            # has since been reassigned or submitted (as a blind counter may
            # know it).
            "task_state": task._get_visible_state(),
            "accepted": len(new_items),
            "duplicates": len(duplicates),
            "lines": [
                {
                    "line_id": line.id,
                    "counted_qty": line.counted_qty,
                    "counted_at": self._datetime(line.counted_at),
                    "is_found": line.is_found,
                }
                for line in applied_lines
            ],
            "results": [results[item["index"]] for item in items],
        }

    @api.model
    def _base_refusals(self, items, refusals):
        """The counting base's refusals, named as the API names a count."""
        client_ids = {item["index"]: item["client_id"] for item in items}
        return [
            {
                "index": refusal["index"],
                "client_id": client_ids.get(refusal["index"]),
                "code": refusal["code"],
                "message": self.env._(
                    "Count #%(index)s: %(message)s",
                    index=refusal["index"] + 1,
                    message=refusal["message"],
                ),
            }
            for refusal in refusals
        ]

    @api.model
    def _raise_if_refused(self, errors):
        if not errors:
            return
        errors.sort(key=lambda error: error["index"])
        if len(errors) == 1:
            message = errors[0]["message"]
        else:
            message = self.env._(
                "%(count)s counts of this batch are refused, nothing was written: "
                "%(first)s (see items for the others).",
                count=len(errors),
                first=errors[0]["message"],
            )
        raise CountBatchError(message, errors)

    @api.model
    def _find_duplicates(self, task, items, errors):
        """Counts already received, by client id: ``{index: sync record}``. A
        client id used for something else is an error."""
        client_ids = [item["client_id"] for item in items if item["client_id"]]
        if not client_ids:
            return {}
        # sudo: the sync records of every user are searched, so that a client id
        # is never used twice; only the current user's own count is answered as a
        # duplicate.
        records = {
            record.client_ref: record
            for record in self.env["cycle.count.sync.record"]
            .sudo()
            .search([("client_ref", "in", client_ids)])
        }
        duplicates = {}
        for item in items:
            record = records.get(item["client_id"])
            if not record:
                continue
            if self._is_same_count(task, item, record):
                duplicates[item["index"]] = record
            else:
                errors.append(
                    {
                        "index": item["index"],
                        "client_id": item["client_id"],
                        "code": "client_id_reused",
                        "message": self.env._(
                            "Count #%(index)s: client id %(client)s was already used "
                            "for another count; generate a new id for each count.",
                            index=item["index"] + 1,
                            client=item["client_id"],
                        ),
                    }
                )
        return duplicates

    @api.model
    def _is_same_count(self, task, item, record):
        line = record.line_id
        if (
            record.kind != "count"
            or record.user_id != self.env.user
            or record.task_id != task
            or float_compare(
                record.quantity,
                item["quantity"],
                precision_rounding=line.product_id.uom_id.rounding or 0.001,
            )
        ):
            return False
        if item["line_id"]:
            return line.id == item["line_id"]
        return (
            line.location_id.id == item["location_id"]
            and line.product_id.id == item["product_id"]
        )

    @api.model
    def _record_sync(self, task, items, counted, results):
        """Answer each applied or superseded count and keep a sync record of every
        count with a client id. Returns the lines whose count was recorded."""
        lines = self.env["cycle.count.line"]
        for item, result in zip(items, counted, strict=True):
            results[item["index"]] = {
                "index": item["index"],
                "client_id": item["client_id"],
                "status": result["status"],
                "line_id": result["line"].id,
            }
            if result["status"] == "applied":
                lines |= result["line"]
        # sudo: a sync record is the system's trace of what arrived; counters only
        # read their own.
        records = self.env["cycle.count.sync.record"].sudo()
        records.create(
            [
                {
                    "client_ref": item["client_id"],
                    "kind": "count",
                    "task_id": task.id,
                    "line_id": result["line"].id,
                    "user_id": self.env.uid,
                    "quantity": item["quantity"],
                    "counted_at": result["at"],
                    "result": result["status"],
                }
                for item, result in zip(items, counted, strict=True)
                if item["client_id"]
            ]
        )
        # Inside the caller's savepoint: a clashing client id fails here, not at
        # commit.
        records.flush_model()
        return lines

    @api.model
    def _lock_task(self, task):
        """Lock the task's row for this transaction, without waiting. When a
        concurrent request changed it since this one began, PostgreSQL refuses
        with a serialization failure that Odoo resolves by running the request
        again (logged as INFO, "try again"); when another request holds the lock,
        with LockNotAvailable, answered 409 ``conflict`` (send again): waiting
        would only end in that serialization failure, and eight devices on one
        task used up Odoo's five tries (a 500). Neither is logged as an ERROR
        here, since nothing went wrong."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                SQL.identifier(task._table),
                task.id,
            ),
            log_exceptions=False,
        )

    @api.model
    def _mark_counted(self, task):
        """Mark the task counted; idempotent, so that a device may retry."""
        task.ensure_one()
        if (
            task.sudo().user_id == self.env.user
            and task.sudo().state in SUBMITTED_STATES
        ):
            # A retry (the answer was lost): the same answer, also to a counter
            # who may no longer read the task.
            return self._submitted_summary(task)
        self._check_task_access(task, "write")
        if task.state in ("counted", "done"):
            return self._task_summary(task)
        if task.state == "cancel":
            self._check_open(task)
        self._lock_task(task)
        task.action_mark_counted()
        self._notify_count_progress(task)
        return self._submitted_summary(task)

    @api.model
    def _submitted_summary(self, task):
        """A submitted task as its counter may know it (read as the system: the
        counter no longer reads it): counted, whether its counts matched or not."""
        return dict(self._task_summary(task.sudo()), state=task._get_visible_state())

    # ------------------------------------------------------------------
    # Photos, exactly once
    # ------------------------------------------------------------------
    @api.model
    def _add_photo(self, line, payload):
        """Attach the photo of ``payload`` (``client_id``, ``filename``, ``data``
        in base64) to ``line``, at most once per client id; return the attachment
        and whether it was a duplicate."""
        line.ensure_one()
        env = self.env
        try:
            client_ref, filename, data = api_payload.parse_photo(payload)
        except api_payload.PayloadError as error:
            self._raise_payload_error(error)
        task = line.task_id
        if client_ref:
            # sudo: client ids are unique across users.
            record = (
                env["cycle.count.sync.record"]
                .sudo()
                .search([("client_ref", "=", client_ref)], limit=1)
            )
            if record:
                if (
                    record.kind == "photo"
                    and record.line_id == line
                    and record.user_id == env.user
                ):
                    return record.attachment_id, True
                raise ClientIdReused(
                    env._(
                        "Client id %(client)s was already used for something else; "
                        "generate a new id for each photo.",
                        client=client_ref,
                    )
                )
        self._check_task_access(task, "write")
        line.check_access("write")
        self._check_open(task)
        mimetype, extension = self._decode_photo(data)
        name = (filename or "").strip()[: api_payload.MAX_FILENAME] or env._(
            "Photo of %(line)s", line=line.display_name
        )
        if not name.lower().endswith("." + extension):
            name = f"{name}.{extension}"
        attachment = env["ir.attachment"].create(
            {
                "name": name,
                "raw": data,
                "mimetype": mimetype,
                "res_model": line._name,
                "res_id": line.id,
            }
        )
        line.write({"attachment_ids": [Command.link(attachment.id)]})
        if client_ref:
            # sudo: as for counts, the sync record is the system's trace.
            env["cycle.count.sync.record"].sudo().create(
                {
                    "client_ref": client_ref,
                    "kind": "photo",
                    "task_id": task.id,
                    "line_id": line.id,
                    "user_id": env.uid,
                    "attachment_id": attachment.id,
                }
            )
            env["cycle.count.sync.record"].flush_model()
        return attachment, False

    @api.model
    def _decode_photo(self, data):
        """``(mimetype, extension)`` of ``data`` once it is decoded whole as a
        JPEG, PNG or WebP image (Odoo's own check skips WebP and stops at the
        header); a header declaring more than ``MAX_PHOTO_PIXELS`` is refused
        before any pixel is decoded (a decompression bomb)."""
        env = self.env

        def not_an_image(reason):
            return NotAnImage(
                env._(
                    "This file is not a photo that can be read (%(error)s): send a "
                    "JPEG, PNG or WebP image.",
                    error=reason,
                )
            )

        try:
            with warnings.catch_warnings():
                # PIL only warns between its own limit and twice it.
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data), formats=list(PHOTO_FORMATS)) as image:
                    width, height = image.size
                    if width * height > api_payload.MAX_PHOTO_PIXELS:
                        self._raise_payload_error(
                            api_payload.PayloadError(
                                "photo_too_large",
                                status=413,
                                pixels=round(width * height / 1_000_000, 1),
                                max=api_payload.MAX_PHOTO_PIXELS // 1_000_000,
                            )
                        )
                    # Every pixel, so that a truncated or forged file is refused.
                    image.load()
                    return PHOTO_FORMATS[image.format]
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # PIL stopped at the header: more than its own limit, far above ours.
            self._raise_payload_error(
                api_payload.PayloadError(
                    "photo_too_large",
                    status=413,
                    pixels=f"> {Image.MAX_IMAGE_PIXELS // 1_000_000}",
                    max=api_payload.MAX_PHOTO_PIXELS // 1_000_000,
                )
            )
        except Image.UnidentifiedImageError as error:
            raise not_an_image(env._("not a JPEG, PNG or WebP image")) from error
        except IMAGE_ERRORS as error:
            raise not_an_image(str(error)[:200]) from error

    # ------------------------------------------------------------------
    # Live progress and the app's rules
    # ------------------------------------------------------------------
    @api.model
    def _notify_count_progress(self, tasks):
        """Supervisors and finance of each task's company see progress live."""
        groups = self.env["res.groups"].browse(
            [self.env.ref(group).id for group in REVIEWER_GROUPS]
        )
        # sudo: who is a supervisor is read only to address the notification.
        reviewers = groups.sudo().users
        # sudo: the progress is read for the reviewers it is sent to (the
        # counter who just submitted the task no longer reads it).
        for task in tasks.sudo():
            reviewers.filtered(
                lambda user, task=task: task.company_id in user.company_ids
            )._bus_send(
                PROGRESS_NOTIFICATION,
                {
                    "task_id": task.id,
                    "state": task.state,
                    "line_count": task.line_count,
                    "counted_line_count": task.counted_line_count,
                    "progress": task.progress,
                },
            )

    @api.model
    def _counting_rules(self):
        """What the app checks before sending: the same definitions as the API's
        and the counting base's."""
        lines = self.env["cycle.count.line"]
        return {
            **api_payload.counting_rules(),
            "counting_states": list(COUNTING_STATES),
            # The hints a counter may give, with their labels in the user's language.
            "count_hints": [
                {"value": value, "label": label}
                for value, label in lines._fields["count_hint"]._description_selection(
                    self.env
                )
            ],
        }
