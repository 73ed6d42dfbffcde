import json
import re

from openapi_spec_validator import validate

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open

from odoo.addons.cycle_count_planning.models.cycle_count_task import COUNTING_STATES

from .. import api_payload
from .common import load_openapi


@tagged("post_install", "-at_install")
class TestOpenApiDocument(TransactionCase):
    """The document is valid OpenAPI 3 and says what the code does. (That every
    answer matches it is checked on each call of the API tests.)"""

    def test_the_document_is_valid_openapi_3(self):
        spec = load_openapi()
        validate(spec)
        self.assertTrue(spec["openapi"].startswith("3."))

    def test_every_route_is_documented(self):
        with file_open("cycle_count_mobile/controllers/api.py") as source:
            routes = re.findall(
                r'f"\{API\}(/[^"]*)",\s*methods=\["(\w+)"\]', source.read()
            )
        self.assertGreaterEqual(len(routes), 7)
        paths = load_openapi()["paths"]
        for path, method in routes:
            documented = re.sub(r"<int:(\w+)>", r"{\1}", path)
            with self.subTest(route=f"{method} {path}"):
                self.assertIn(documented, paths)
                self.assertIn(method.lower(), paths[documented])

    def test_every_refusal_code_is_documented(self):
        """Every code a refused count can carry: the payload's (per count), the
        counting base's and the API model's own."""
        with file_open("cycle_count_mobile/api_payload.py") as source:
            payload = source.read()
        with file_open("cycle_count_planning/models/cycle_count_line.py") as source:
            base = source.read()
        with file_open("cycle_count_mobile/models/cycle_count_api.py") as source:
            api = source.read()
        codes = set(re.findall(r'PayloadError\(\s*"(\w+)",\s*index=', payload))
        codes |= set(re.findall(r'CountError\(\s*"(\w+)"', base))
        codes |= set(re.findall(r'return \(\s*"(\w+)",', base))
        codes |= set(re.findall(r'"code": "(\w+)"', api))
        documented = set(
            load_openapi()["components"]["schemas"]["ItemError"]["properties"]["code"][
                "enum"
            ]
        )
        self.assertGreater(len(codes), 15)
        self.assertIn("duplicate_line", codes)
        self.assertIn("serial_quantity", codes)
        self.assertEqual(codes - documented, set())

    def test_limits_and_patterns_are_the_code_s(self):
        """openapi.json states the limits that api_payload enforces: one
        definition, checked both ways."""
        spec = load_openapi()
        schemas = spec["components"]["schemas"]
        count = schemas["Count"]["properties"]
        self.assertEqual(count["client_id"]["pattern"], api_payload.CLIENT_ID_PATTERN)
        self.assertEqual(
            schemas["PhotoUpload"]["properties"]["client_id"]["pattern"],
            api_payload.CLIENT_ID_PATTERN,
        )
        self.assertEqual(
            schemas["CountBatch"]["properties"]["counts"]["maxItems"],
            api_payload.MAX_COUNTS_PER_BATCH,
        )
        self.assertEqual(count["lot_name"]["maxLength"], api_payload.MAX_LOT_NAME)
        self.assertEqual(count["note"]["maxLength"], api_payload.MAX_NOTE)
        self.assertEqual(count["quantity"]["minimum"], 0)
        catalog = {
            parameter["name"]: parameter["schema"]
            for parameter in spec["paths"]["/catalog"]["get"]["parameters"]
        }
        self.assertEqual(catalog["limit"]["maximum"], api_payload.MAX_CATALOG_PAGE)
        documented = json.dumps(spec, ensure_ascii=False)
        for text in (
            f"More than {api_payload.MAX_COUNTS_PER_BATCH} counts in a batch",
            f"a body over {api_payload.MAX_COUNTS_BODY // 1024 // 1024} MB",
            f"at most {api_payload.MAX_PHOTO_BYTES // 1024 // 1024} MB",
            f"the body over {api_payload.MAX_PHOTO_BODY // 1024 // 1024} MB",
            f"1\u2013{api_payload.MAX_CATALOG_PAGE}",
        ):
            with self.subTest(text=text):
                self.assertIn(text, documented)
        # The app reads the same definitions.
        rules = self.env["cycle.count.api"]._counting_rules()
        self.assertEqual(rules["client_id_pattern"], api_payload.CLIENT_ID_PATTERN)
        self.assertEqual(
            rules["max_counts_per_batch"], api_payload.MAX_COUNTS_PER_BATCH
        )
        self.assertEqual(tuple(rules["counting_states"]), COUNTING_STATES)
