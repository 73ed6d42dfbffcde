import base64
import io
import json
from datetime import datetime, timedelta

from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator
from PIL import Image

from odoo import Command
from odoo.tests import new_test_user
from odoo.tools import file_open

from odoo.addons.cycle_count_planning.tests.common import (
    COUNTER,
    SUPERVISOR,
    CycleCountTestMixin,
)

API = "/cycle_count/api/v1"


def load_openapi():
    with file_open("cycle_count_mobile/static/api/openapi.json") as document:
        return json.load(document)


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_utc_datetime(value):
    """RFC 3339 with its zone: a client must know the moment without guessing."""
    if not isinstance(value, str):
        return True
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _is_date(value):
    if isinstance(value, str):
        datetime.strptime(value, "%Y-%m-%d")
    return True


def png_bytes(size=(40, 30), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


class MobileTestMixin(CycleCountTestMixin):
    """A warehouse with barcoded bins and products (lot, serial, packaging), a task
    built directly (independent of the planner's rules), API keys, and a second
    company with its own counter and task."""

    OPENAPI = load_openapi()

    @classmethod
    def _setup_mobile(cls):
        cls._setup_cycle_count()
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        for location, barcode in (
            (cls.bin_a, "CCT-A01"),
            (cls.bin_b, "CCT-A02"),
            (cls.bin_c, "CCT-B01"),
        ):
            location.barcode = barcode
        cls.product_apple.barcode = "4006381333931"
        cls.product_bolt.barcode = "5901234123457"
        cls.product_lot.barcode = "9780201379624"
        cls.product_serial = env["product.product"].create(
            {
                "name": "Phone X",
                "default_code": "CC-PHN",
                "is_storable": True,
                "tracking": "serial",
                "barcode": "0012345678905",
                "standard_price": 300.0,
            }
        )
        cls.serial_1, cls.serial_2 = env["stock.lot"].create(
            [
                {
                    "name": name,
                    "product_id": cls.product_serial.id,
                    "company_id": cls.company.id,
                }
                for name in ("PHN-001", "PHN-002")
            ]
        )
        cls.packaging_bolt = env["product.packaging"].create(
            {
                "name": "Box of 10",
                "product_id": cls.product_bolt.id,
                "qty": 10,
                "barcode": "15901234123454",
            }
        )
        quant = env["stock.quant"].sudo()
        quant._update_available_quantity(
            cls.product_serial, cls.bin_b, 1, lot_id=cls.serial_1
        )
        quant._update_available_quantity(
            cls.product_serial, cls.bin_b, 1, lot_id=cls.serial_2
        )
        cls.task = cls._make_task(
            cls.counter,
            [
                (cls.bin_a, cls.product_apple, None),
                (cls.bin_a, cls.product_bolt, None),
                (cls.bin_b, cls.product_chip, None),
                (cls.bin_b, cls.product_serial, cls.serial_1),
                (cls.bin_b, cls.product_serial, cls.serial_2),
                (cls.bin_c, cls.product_lot, cls.lot_1),
            ],
        )
        cls.line_apple, cls.line_bolt, cls.line_chip, cls.line_sn1, cls.line_sn2 = (
            cls._line(cls.task, product, lot)
            for product, lot in (
                (cls.product_apple, None),
                (cls.product_bolt, None),
                (cls.product_chip, None),
                (cls.product_serial, cls.serial_1),
                (cls.product_serial, cls.serial_2),
            )
        )
        cls.line_lot = cls._line(cls.task, cls.product_lot, cls.lot_1)
        cls.api_key = cls._api_key(cls.counter)
        cls.api_key_2 = cls._api_key(cls.counter_2)

        # Another company: its own warehouse, counter, product and task.
        cls.company_b = env["res.company"].create({"name": "Other Co"})
        cls.warehouse_b = env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )
        cls.product_b = (
            env["product.product"]
            .with_company(cls.company_b)
            .create(
                {
                    "name": "Other Co Widget",
                    "is_storable": True,
                    "company_id": cls.company_b.id,
                    "barcode": "96385074",
                }
            )
        )
        quant.with_company(cls.company_b)._update_available_quantity(
            cls.product_b, cls.warehouse_b.lot_stock_id, 7
        )
        cls.counter_b = new_test_user(
            env,
            login="cc_counter_b",
            name="Bea Counter",
            groups=COUNTER,
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.supervisor_b = new_test_user(
            env,
            login="cc_supervisor_b",
            name="Bob Supervisor",
            groups=SUPERVISOR,
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.task_b = cls._make_task(
            cls.counter_b,
            [(cls.warehouse_b.lot_stock_id, cls.product_b, None)],
            warehouse=cls.warehouse_b,
        )
        cls.api_key_b = cls._api_key(cls.counter_b)

    @classmethod
    def _release_fixture_task(cls):
        """Cancel the shared task: an item has one open count at a time, so a
        test that makes tasks of the same items of its own releases them."""
        cls.task.with_user(cls.supervisor).action_cancel()

    @classmethod
    def _make_task(cls, user, items, warehouse=None, date=None):
        warehouse = warehouse or cls.warehouse
        # As the planner does: tasks are the system's decision.
        task = (
            cls.env["cycle.count.task"]
            .sudo()
            .create(
                {
                    "warehouse_id": warehouse.id,
                    "company_id": warehouse.company_id.id,
                    "user_id": user.id,
                    "scheduled_date": date or datetime.now().date(),
                }
            )
        )
        cls.env["cycle.count.line"].sudo().create(
            [
                {
                    "task_id": task.id,
                    "location_id": location.id,
                    "product_id": product.id,
                    "lot_id": lot.id if lot else False,
                }
                for location, product, lot in items
            ]
        )
        return task.sudo(False)

    @classmethod
    def _line(cls, task, product, lot=None):
        return task.line_ids.filtered(
            lambda line: (
                line.product_id == product
                and line.lot_id == (lot or line.lot_id.browse())
            )
        )

    @classmethod
    def _api_key(cls, user):
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                None, f"PDA of {user.login}", datetime.now() + timedelta(days=30)
            )
        )


class ApiTestMixin(MobileTestMixin):
    """Every call checks its answer against the OpenAPI document: the status must
    be documented for the operation, the body must match its schema."""

    def _operation(self, method, url):
        path = url.split("?", 1)[0].removeprefix(API)
        for template, operations in self.OPENAPI["paths"].items():
            parts, wanted = template.strip("/").split("/"), path.strip("/").split("/")
            if len(parts) == len(wanted) and all(
                part == value or (part.startswith("{") and value.isdigit())
                for part, value in zip(parts, wanted, strict=True)
            ):
                return template, operations.get(method.lower())
        return None, None

    def assertMatchesOpenApi(self, method, url, response):
        template, operation = self._operation(method, url)
        self.assertTrue(operation, f"{method} {url} is not in the OpenAPI document")
        documented = operation["responses"].get(str(response.status_code))
        self.assertTrue(
            documented,
            f"{method} {template} answered {response.status_code}, which the "
            f"OpenAPI document does not list: {response.text[:300]}",
        )
        schema = documented["content"]["application/json"]["schema"]
        validator = OAS30Validator(
            {**schema, "components": self.OPENAPI["components"]},
            format_checker=FORMATS,
        )
        errors = sorted(validator.iter_errors(response.json()), key=str)
        self.assertFalse(
            errors,
            f"{method} {template} {response.status_code} does not match the document: "
            + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5]),
        )

    def api(
        self,
        method,
        url,
        body=None,
        key=None,
        raw=None,
        content_type=None,
        headers=None,
    ):
        headers = dict(headers or {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body)
        if (data is not None or content_type) and "Content-Type" not in headers:
            headers["Content-Type"] = content_type or "application/json"
        response = self.opener.request(
            method, self.base_url() + API + url, data=data, headers=headers, timeout=30
        )
        self.assertMatchesOpenApi(method, API + url, response)
        return response

    def assertApiError(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        error = response.json()["error"]
        self.assertEqual(error["code"], code, error)
        self.assertTrue(error["message"])
        return error

    def count(self, task_id, counts, key=None):
        return self.api(
            "POST",
            f"/tasks/{task_id}/counts",
            {"counts": counts},
            key=key or self.api_key,
        )

    @staticmethod
    def photo_payload(data=None, **values):
        return {"data": base64.b64encode(data or png_bytes()).decode(), **values}
