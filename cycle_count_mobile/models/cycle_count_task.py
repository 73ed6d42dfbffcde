import math
import re
from collections import defaultdict
from datetime import datetime, timezone

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare

from odoo.addons.cycle_count_planning.models.cycle_count_line import (
    REVIEWER_GROUPS as REVIEWER_GROUPS_FIELD_ATTR,
)

from ..exceptions import CountBatchError, PayloadTooLarge, TaskNotOpen

# A batch larger than this is refused whole (HTTP 413); the app sends 100.
MAX_COUNTS_PER_BATCH = 500
# Client ids: UUIDs from the app; any 1–64 letters, digits and ._:- from integrators.
CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
OPEN_STATES = ("draft", "in_progress")
# The groups that see book figures (planning's REVIEWER_GROUPS, one by one).
REVIEWER_GROUPS = tuple(REVIEWER_GROUPS_FIELD_ATTR.split(","))
PROGRESS_NOTIFICATION = "cycle_count/task_progress"


class _ItemError(Exception):
    """One refused count of a batch (collected, never shown alone)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class CycleCountTask(models.Model):
    _inherit = "cycle.count.task"

    device_sync_date = fields.Datetime(
        string="Last Counts Received",
        readonly=True,
        copy=False,
        help="When the last batch of counts arrived from a device or an integration.",
    )
    receipt_ids = fields.One2many("cycle.count.receipt", "task_id", readonly=True)

    # ------------------------------------------------------------------
    # Reading, for devices and integrations (never a book quantity)
    # ------------------------------------------------------------------
    def _check_device_access(self, operation):
        """The UI's rights (ACL and record rules), with a message that says what
        is wrong instead of the generic one."""
        try:
            self.check_access(operation)
        except AccessError as error:
            task = ", ".join(str(task_id) for task_id in self.ids)
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
    def _get_device_tasks(self, date=None):
        """The current user's open tasks scheduled up to ``date`` (default today):
        today's and the overdue ones."""
        date = date or fields.Date.context_today(self)
        tasks = self.search(
            [
                ("user_id", "=", self.env.uid),
                ("state", "in", OPEN_STATES),
                ("scheduled_date", "<=", date),
            ],
            order="scheduled_date, id",
        )
        # Overdue is against today, whatever day was asked for: as for one task.
        return [task._device_task_summary() for task in tasks]

    def _device_task_summary(self, today=None):
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "scheduled_date": fields.Date.to_string(self.scheduled_date),
            "overdue": self.scheduled_date < today,
            "warehouse": {"id": self.warehouse_id.id, "name": self.warehouse_id.name},
            "company": {"id": self.company_id.id, "name": self.company_id.name},
            "user_id": self.user_id.id or None,
            "line_count": self.line_count,
            "counted_line_count": self.counted_line_count,
            "progress": self.progress,
        }

    def _get_device_task(self):
        """The task with its lines, the lots of its tracked products and its
        locations: what a device needs to count it offline. Blind: no book
        quantity, no difference, no value."""
        self.ensure_one()
        self._check_device_access("read")
        lines = self.line_ids
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
        payload = self._device_task_summary()
        payload["locations"] = [
            self._device_location(location) for location in lines.location_id
        ]
        payload["products"] = self._device_products(products)
        payload["lots"] = self._device_lots(
            products.filtered(lambda product: product.tracking != "none")
        )
        payload["lines"] = [line._device_line() for line in lines]
        return payload

    @api.model
    def _device_location(self, location):
        return {
            "id": location.id,
            "name": location.complete_name,
            "barcode": location.barcode or None,
        }

    @api.model
    def _device_products(self, products):
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
            }
            for product in products
        ]

    def _device_lots(self, products):
        """Lots and serials of ``products`` in this task's company, so that a
        scanned lot name is recognised without a server round trip."""
        if not products:
            return []
        lots = (
            self.env["stock.lot"]
            .sudo()
            .search_fetch(
                [
                    ("product_id", "in", products.ids),
                    ("company_id", "in", [self.company_id.id, False]),
                ],
                ["name", "product_id"],
            )
        )
        # sudo: counters read lots of their task's products; only names are sent.
        return [
            {"id": lot.id, "name": lot.name, "product_id": lot.product_id.id}
            for lot in lots
        ]

    @api.model
    def _get_device_catalog(self, after_id=0, limit=2000):
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
            "products": self._device_products(products),
            "next_after_id": products[-1].id if len(products) == limit else None,
            "locations": [self._device_location(location) for location in locations]
            if not after_id
            else [],
        }

    def _get_device_variances(self):
        """Book and counted quantities, differences and values: for supervisors and
        finance only, as on the screens."""
        self.ensure_one()
        self._check_device_access("read")
        if not any(self.env.user.has_group(group) for group in REVIEWER_GROUPS):
            raise AccessError(
                self.env._(
                    "Only supervisors and finance managers see book quantities and "
                    "variances; counters count blind."
                )
            )
        lines = self.line_ids
        return {
            **self._device_task_summary(),
            "currency": self.company_id.currency_id.name,
            "total_variance_value": self.company_id.currency_id.round(
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
                    "counted_at": self._device_datetime(line.counted_at),
                    "photo_ids": line.attachment_ids.ids,
                }
                for line in lines
            ],
        }

    @api.model
    def _device_datetime(self, value):
        """UTC, ISO 8601 with a Z, or None."""
        return value.isoformat(timespec="seconds") + "Z" if value else None

    # ------------------------------------------------------------------
    # Counting, exactly once
    # ------------------------------------------------------------------
    def _submit_device_counts(self, counts):
        """Apply a batch of counts from a device or an integration, each at most
        once by its client id, and return each count's result.

        Each count gives the whole quantity of one item at the moment it was
        made: ``{"client_id", "line_id" | "location_id" + "product_id" (+ "lot_id"
        | "lot_name", "package_id"), "quantity", "counted_at", "note"}``. An item
        the task does not list becomes a new line (found during the count).

        All or nothing: if any count is refused, nothing of the batch is written
        and :class:`CountBatchError` lists every refused count. A count sent
        again (same client id) is not applied again: its result is
        ``duplicate``. When a line already holds a count made later, the older
        count is recorded as ``superseded`` and the line keeps the later one, so
        the order in which devices sync does not matter."""
        self.ensure_one()
        if not isinstance(counts, list) or not counts:
            raise CountBatchError(
                self.env._('"counts" must be a non-empty list of counts.')
            )
        if len(counts) > MAX_COUNTS_PER_BATCH:
            raise PayloadTooLarge(
                self.env._(
                    "A batch holds at most %(max)s counts (this one has %(count)s); "
                    "send them in several batches.",
                    max=MAX_COUNTS_PER_BATCH,
                    count=len(counts),
                ),
                code="batch_too_large",
            )
        items, errors = [], []
        for index, raw in enumerate(counts):
            try:
                items.append(self._parse_device_count(index, raw))
            except _ItemError as error:
                errors.append(self._item_error(index, raw, error))
        errors += self._check_batch_duplicates(items)
        refused = {error["index"] for error in errors}
        items = [item for item in items if item["index"] not in refused]

        results = {}
        duplicates = self._find_duplicates(items, errors)
        for item in items:
            receipt = duplicates.get(item["index"])
            if not receipt:
                continue
            results[item["index"]] = {
                "index": item["index"],
                "client_id": item["client_id"],
                "status": "duplicate",
                "line_id": receipt.line_id.id,
            }
        refused = {error["index"] for error in errors}
        new_items = [
            item
            for item in items
            if item["index"] not in results and item["index"] not in refused
        ]
        applied_lines = self.env["cycle.count.line"]
        if new_items:
            self._check_device_access("write")
            self._check_open_for_device_counts()
            # Row lock and write first: a concurrent batch of this task waits, then
            # fails with a serialization error and is retried by Odoo, seeing the
            # receipts of this one (the unique client id is the safety net).
            self.sudo().write({"device_sync_date": fields.Datetime.now()})
            self.sudo().flush_recordset(["device_sync_date"])
            self._resolve_device_lines(new_items, errors)
            self._raise_if_refused(errors)
            applied_lines = self._apply_device_counts(new_items, results)
        self._raise_if_refused(errors)
        ordered = [results[item["index"]] for item in items]
        return {
            "task_id": self.id,
            # sudo: a retry of counts already applied is answered even when the
            # task has since been reassigned.
            "task_state": self.sudo().state,
            "accepted": len(new_items),
            "duplicates": len(duplicates),
            "lines": [
                {
                    "line_id": line.id,
                    "counted_qty": line.counted_qty,
                    "counted_at": self._device_datetime(line.counted_at),
                    "is_found": line.is_found,
                }
                for line in applied_lines
            ],
            "results": ordered,
        }

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
    def _item_error(self, index, raw, error):
        client_id = raw.get("client_id") if isinstance(raw, dict) else None
        return {
            "index": index,
            "client_id": client_id if isinstance(client_id, str) else None,
            "code": error.code,
            "message": error.message,
        }

    @api.model
    def _parse_device_count(self, index, raw):
        """Check the shape of one count; return it normalised."""
        env = self.env
        number = index + 1
        if not isinstance(raw, dict):
            raise _ItemError(
                "not_an_object",
                env._(
                    "Count #%(index)s must be an object with a quantity and a line_id "
                    "(or a location_id and a product_id).",
                    index=number,
                ),
            )
        client_id = raw.get("client_id")
        if client_id is not None and (
            not isinstance(client_id, str) or not CLIENT_ID.match(client_id)
        ):
            raise _ItemError(
                "invalid_client_id",
                env._(
                    "Count #%(index)s: client_id must be a string of 1 to 64 letters, "
                    "digits or ._:- (a UUID is best).",
                    index=number,
                ),
            )
        quantity = raw.get("quantity")
        if (
            not isinstance(quantity, int | float)
            or isinstance(quantity, bool)
            or not math.isfinite(quantity)
        ):
            raise _ItemError(
                "not_a_number",
                env._("Count #%(index)s: quantity must be a number.", index=number),
            )
        if quantity < 0:
            raise _ItemError(
                "negative_quantity",
                env._(
                    "Count #%(index)s: the quantity cannot be negative (%(qty)s). "
                    "Count what is there, 0 if nothing.",
                    index=number,
                    qty=quantity,
                ),
            )
        ids = {}
        for key in ("line_id", "location_id", "product_id", "lot_id", "package_id"):
            value = raw.get(key)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value <= 0
            ):
                raise _ItemError(
                    "invalid_id",
                    env._(
                        "Count #%(index)s: %(field)s must be a positive integer.",
                        index=number,
                        field=key,
                    ),
                )
            ids[key] = value
        if ids["line_id"] and (ids["location_id"] or ids["product_id"]):
            raise _ItemError(
                "ambiguous_item",
                env._(
                    "Count #%(index)s: give either line_id or location_id and "
                    "product_id, not both.",
                    index=number,
                ),
            )
        if not ids["line_id"] and not (ids["location_id"] and ids["product_id"]):
            raise _ItemError(
                "missing_item",
                env._(
                    "Count #%(index)s: say what was counted: a line_id, or a "
                    "location_id and a product_id for an item the task does not list.",
                    index=number,
                ),
            )
        lot_name = raw.get("lot_name")
        if lot_name is not None and (
            not isinstance(lot_name, str) or not lot_name.strip() or len(lot_name) > 128
        ):
            raise _ItemError(
                "invalid_lot_name",
                env._(
                    "Count #%(index)s: lot_name must be a non-empty string of at most "
                    "128 characters.",
                    index=number,
                ),
            )
        if lot_name and ids["lot_id"]:
            raise _ItemError(
                "ambiguous_item",
                env._(
                    "Count #%(index)s: give lot_id or lot_name, not both.", index=number
                ),
            )
        note = raw.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 1000):
            raise _ItemError(
                "invalid_note",
                env._(
                    "Count #%(index)s: note must be a string of at most 1000 "
                    "characters.",
                    index=number,
                ),
            )
        counted_at = self._parse_counted_at(number, raw.get("counted_at"))
        return {
            "index": index,
            "client_id": client_id,
            "quantity": float(quantity),
            "counted_at": counted_at,
            "note": note,
            "lot_name": lot_name.strip() if lot_name else None,
            **ids,
        }

    @api.model
    def _parse_counted_at(self, number, value):
        """ISO 8601; with an offset or Z it is converted to UTC, without one it is
        taken as UTC. Returns a naive UTC datetime (or None: now)."""
        if value is None:
            return None
        try:
            if not isinstance(value, str):
                raise ValueError
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _ItemError(
                "invalid_counted_at",
                self.env._(
                    "Count #%(index)s: counted_at must be an ISO 8601 date and time, "
                    'such as "2025-03-01T08:30:00Z".',
                    index=number,
                ),
            ) from None
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return moment.replace(microsecond=0)

    @api.model
    def _check_batch_duplicates(self, items):
        errors = []
        seen_clients = set()
        seen_lines = set()
        for item in items:
            client_id = item["client_id"]
            if client_id:
                if client_id in seen_clients:
                    errors.append(
                        {
                            "index": item["index"],
                            "client_id": client_id,
                            "code": "duplicate_client_id",
                            "message": self.env._(
                                "Count #%(index)s: client id %(client)s appears twice "
                                "in this batch; each count needs its own.",
                                index=item["index"] + 1,
                                client=client_id,
                            ),
                        }
                    )
                seen_clients.add(client_id)
            elif item["line_id"]:
                # Without client ids a batch cannot order two counts of one line.
                if item["line_id"] in seen_lines:
                    errors.append(
                        {
                            "index": item["index"],
                            "client_id": None,
                            "code": "duplicate_line",
                            "message": self.env._(
                                "Count #%(index)s: its line appears twice in this "
                                "batch; without client ids the counts cannot be "
                                "ordered.",
                                index=item["index"] + 1,
                            ),
                        }
                    )
                seen_lines.add(item["line_id"])
        return errors

    def _find_duplicates(self, items, errors):
        """Counts already received, by client id: ``{index: receipt}``. A client id
        used for something else is an error."""
        client_ids = [item["client_id"] for item in items if item["client_id"]]
        if not client_ids:
            return {}
        # sudo: receipts of every user are searched, so that a client id is never
        # used twice; only the current user's own count is answered as a duplicate.
        receipts = {
            receipt.client_ref: receipt
            for receipt in self.env["cycle.count.receipt"]
            .sudo()
            .search([("client_ref", "in", client_ids)])
        }
        duplicates = {}
        for item in items:
            receipt = receipts.get(item["client_id"])
            if not receipt:
                continue
            if self._is_same_count(item, receipt):
                duplicates[item["index"]] = receipt
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

    def _is_same_count(self, item, receipt):
        line = receipt.line_id
        if (
            receipt.kind != "count"
            or receipt.user_id != self.env.user
            or receipt.task_id != self
            or float_compare(
                receipt.quantity,
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

    def _check_open_for_device_counts(self):
        if self.state not in OPEN_STATES:
            raise TaskNotOpen(
                self.env._(
                    "Task %(task)s is no longer open for counting (status: "
                    "%(state)s). Counts can only be entered on a task to do or in "
                    "progress.",
                    task=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ],
                )
            )

    def _resolve_device_lines(self, items, errors):
        """Set ``item["line"]`` on each count: the task's line, or the line of an
        item found where the task did not list it (created here, once per item,
        after every count of the batch has been checked)."""
        env = self.env
        lines_by_id = {line.id: line for line in self.line_ids}
        lines_by_item = task_locations = None
        found = []
        for item in items:
            number = item["index"] + 1
            try:
                if item["line_id"]:
                    line = lines_by_id.get(item["line_id"])
                    if not line:
                        raise _ItemError(
                            "unknown_line",
                            env._(
                                "Count #%(index)s: line %(line)s is not a line of task "
                                "%(task)s (it may have been removed).",
                                index=number,
                                line=item["line_id"],
                                task=self.name,
                            ),
                        )
                    item["line"] = line
                    self._check_serial_quantity(item, line.product_id)
                    continue
                if lines_by_item is None:
                    # Only for items found where the task did not list them.
                    lines_by_item = {
                        line._device_item_key(): line for line in self.line_ids
                    }
                    task_locations = self.line_ids.location_id
                    known = self._found_item_records(items)
                key = self._resolve_found_item(item, task_locations, known)
                item["key"] = key
                line = lines_by_item.get(key)
                if line:
                    item["line"] = line
                else:
                    found.append(item)
            except _ItemError as error:
                errors.append(self._item_error(item["index"], item, error))
        if errors or not found:
            return
        self._create_found_lines(found, lines_by_item)

    def _found_item_records(self, items):
        """What the batch's found items name, read at once (a few queries per
        batch, not per count): the products and packages that exist and the user
        may read, the lots by id, and the lots by (name, product)."""
        env = self.env
        found = [item for item in items if not item["line_id"]]

        def ids(field):
            return {item[field] for item in found if isinstance(item[field], int)}

        products = env["product.product"].browse(ids("product_id")).exists()
        products = products._filtered_access("read")
        products.fetch(["company_id", "is_storable", "tracking"])
        packages = env["stock.quant.package"].browse(ids("package_id")).exists()
        packages = packages._filtered_access("read")
        packages.fetch(["company_id"])
        lots = env["stock.lot"].sudo().browse(ids("lot_id")).exists()
        lots.fetch(["company_id", "product_id", "name"])
        names = {item["lot_name"] for item in found if item["lot_name"]}
        named_lots = {}
        if names:
            for lot in (
                env["stock.lot"]
                .sudo()
                .search(
                    [
                        ("name", "in", list(names)),
                        ("product_id", "in", list(ids("product_id"))),
                        ("company_id", "in", [self.company_id.id, False]),
                    ],
                    order="id desc",
                )
            ):
                # The oldest lot of a name wins, as a search with limit=1 by id.
                named_lots[lot.name, lot.product_id.id] = lot.id
        return {
            "product.product": products,
            "stock.quant.package": packages,
            "stock.lot": lots,
            "named_lots": named_lots,
        }

    def _device_company_record(self, records, record_id):
        """The record of ``records`` (read beforehand) with this id if it is of
        the task's company or of none; else an empty recordset."""
        record = records.browse(record_id) & records
        if record.company_id not in (self.company_id, self.env["res.company"]):
            return records.browse()
        return record

    def _resolve_found_item(self, item, task_locations, known):
        env = self.env
        number = item["index"] + 1
        location = task_locations.filtered(lambda loc: loc.id == item["location_id"])
        if not location:
            raise _ItemError(
                "location_not_in_task",
                env._(
                    "Count #%(index)s: location %(location)s is not one of the "
                    "locations of task %(task)s.",
                    index=number,
                    location=item["location_id"],
                    task=self.name,
                ),
            )
        product = self._device_company_record(
            known["product.product"], item["product_id"]
        )
        if not product:
            raise _ItemError(
                "unknown_product",
                env._(
                    "Count #%(index)s: product %(product)s does not exist or belongs "
                    "to another company.",
                    index=number,
                    product=item["product_id"],
                ),
            )
        if not product.is_storable:
            raise _ItemError(
                "product_not_storable",
                env._(
                    "Count #%(index)s: %(product)s is not tracked in stock; only "
                    "storable products are counted.",
                    index=number,
                    product=product.display_name,
                ),
            )
        self._check_serial_quantity(item, product)
        lot_key = 0
        if product.tracking == "none" and (item["lot_id"] or item["lot_name"]):
            raise _ItemError(
                "product_not_tracked",
                env._(
                    "Count #%(index)s: %(product)s has no lots or serial numbers; "
                    "send it without a lot.",
                    index=number,
                    product=product.display_name,
                ),
            )
        if product.tracking != "none" and not (item["lot_id"] or item["lot_name"]):
            raise _ItemError(
                "lot_required",
                env._(
                    "Count #%(index)s: %(product)s is tracked by lot or serial number; "
                    "give its lot_id or lot_name.",
                    index=number,
                    product=product.display_name,
                ),
            )
        if item["lot_id"]:
            lot = known["stock.lot"].browse(item["lot_id"]) & known["stock.lot"]
            if not lot or lot.company_id not in (self.company_id, env["res.company"]):
                raise _ItemError(
                    "unknown_lot",
                    env._(
                        "Count #%(index)s: lot %(lot)s does not exist or belongs to "
                        "another company.",
                        index=number,
                        lot=item["lot_id"],
                    ),
                )
            if lot.product_id != product:
                raise _ItemError(
                    "lot_of_another_product",
                    env._(
                        "Count #%(index)s: lot %(lot)s is a lot of %(other)s, not of "
                        "%(product)s.",
                        index=number,
                        lot=lot.name,
                        other=lot.product_id.display_name,
                        product=product.display_name,
                    ),
                )
            lot_key = lot.id
        elif item["lot_name"]:
            lot_key = item["lot_name"]
        package_key = 0
        if item["package_id"]:
            package = self._device_company_record(
                known["stock.quant.package"], item["package_id"]
            )
            if not package:
                raise _ItemError(
                    "unknown_package",
                    env._(
                        "Count #%(index)s: package %(package)s does not exist or "
                        "belongs to another company.",
                        index=number,
                        package=item["package_id"],
                    ),
                )
            package_key = package.id
        if isinstance(lot_key, str):
            lot_key = known["named_lots"].get((lot_key, product.id), lot_key)
        return (location.id, product.id, lot_key, package_key)

    @api.model
    def _check_serial_quantity(self, item, product):
        if product.tracking == "serial" and item["quantity"] not in (0.0, 1.0):
            raise _ItemError(
                "serial_quantity",
                self.env._(
                    "Count #%(index)s: %(product)s is tracked by serial number: a "
                    "serial is counted 1 (there) or 0 (not there), not %(qty)s.",
                    index=item["index"] + 1,
                    product=product.display_name,
                    qty=item["quantity"],
                ),
            )

    def _create_found_lines(self, found, lines_by_item):
        """Lines for items found where the task did not list them; new lot names
        become lots of the task's company."""
        new_lots = {
            (key[1], key[2])
            for key in (item["key"] for item in found)
            if isinstance(key[2], str)
        }
        # sudo: a counter cannot create lots, but a lot found on the shelf must
        # exist to be counted; the counter's rights were checked on the task.
        lots = (
            self.env["stock.lot"]
            .sudo()
            .create(
                [
                    {
                        "product_id": product_id,
                        "name": name,
                        "company_id": self.company_id.id,
                    }
                    for product_id, name in sorted(new_lots)
                ]
            )
        )
        lot_ids = {(lot.product_id.id, lot.name): lot.id for lot in lots}
        keys = []
        for item in found:
            location_id, product_id, lot_key, package_id = item["key"]
            if isinstance(lot_key, str):
                lot_key = lot_ids[(product_id, lot_key)]
            item["key"] = (location_id, product_id, lot_key, package_id)
            if item["key"] not in keys:
                keys.append(item["key"])
        # sudo: counters cannot create lines; what a line may hold is checked above.
        lines = (
            self.env["cycle.count.line"]
            .sudo()
            .create([self._prepare_found_line_values(key) for key in keys])
            .sudo(False)
        )
        lines_by_item.update(zip(keys, lines, strict=True))
        for item in found:
            item["line"] = lines_by_item[item["key"]]

    def _prepare_found_line_values(self, key):
        location_id, product_id, lot_id, package_id = key
        return {
            "task_id": self.id,
            "location_id": location_id,
            "product_id": product_id,
            "lot_id": lot_id or False,
            "package_id": package_id or False,
            "is_found": True,
        }

    def _apply_device_counts(self, items, results):
        """Record, per line, the latest of the new counts unless the line already
        holds a later one; store a receipt for every count with a client id."""
        now = fields.Datetime.now().replace(microsecond=0)
        by_line = defaultdict(list)
        for item in items:
            item["at"] = min(item["counted_at"] or now, now)
            by_line[item["line"]].append(item)
        to_record = []
        notes = []
        for line, line_items in by_line.items():
            latest = max(line_items, key=lambda item: (item["at"], item["index"]))
            held = line.is_counted and line.counted_at
            for item in line_items:
                applied = item is latest and not (held and line.counted_at > item["at"])
                item["result"] = "applied" if applied else "superseded"
                results[item["index"]] = {
                    "index": item["index"],
                    "client_id": item["client_id"],
                    "status": item["result"],
                    "line_id": line.id,
                }
            if latest["result"] == "applied":
                to_record.append((line, latest["quantity"], latest["at"]))
                if latest["note"] is not None:
                    notes.append((line, latest["note"]))
        lines = self.env["cycle.count.line"]
        if to_record:
            lines = lines._record_counts(to_record)
        for line, note in notes:
            line.note = note
        self.env["cycle.count.receipt"].sudo().create(
            [
                {
                    "client_ref": item["client_id"],
                    "kind": "count",
                    "task_id": self.id,
                    "line_id": item["line"].id,
                    "user_id": self.env.uid,
                    "quantity": item["quantity"],
                    "counted_at": item["at"],
                    "result": item["result"],
                }
                for item in items
                if item["client_id"]
            ]
        )
        # Inside the caller's savepoint: a clashing client id fails here, not at
        # commit.
        self.env["cycle.count.receipt"].flush_model()
        return lines

    def _device_mark_counted(self):
        """Mark the task counted; idempotent, so that a device may retry."""
        self.ensure_one()
        self._check_device_access("write")
        if self.state in ("counted", "done"):
            return self._device_task_summary()
        if self.state == "cancel":
            self._check_open_for_device_counts()
        self.action_mark_counted()
        self._notify_count_progress()
        return self._device_task_summary()

    def _notify_count_progress(self):
        """Supervisors and finance of the task's company see progress live."""
        groups = self.env["res.groups"].browse(
            [self.env.ref(group).id for group in REVIEWER_GROUPS]
        )
        # sudo: who is a supervisor is read only to address the notification.
        reviewers = groups.sudo().users
        for task in self:
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
