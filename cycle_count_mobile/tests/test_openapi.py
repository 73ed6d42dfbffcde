import re

from openapi_spec_validator import validate

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open

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
        with file_open("cycle_count_mobile/models/cycle_count_task.py") as source:
            text = source.read()
        # Raised one by one, or listed for the whole batch.
        codes = set(re.findall(r'_ItemError\(\s*"(\w+)"', text))
        codes |= set(re.findall(r'"code": "(\w+)"', text))
        documented = set(
            load_openapi()["components"]["schemas"]["ItemError"]["properties"]["code"][
                "enum"
            ]
        )
        self.assertGreater(len(codes), 15)
        self.assertIn("duplicate_line", codes)
        self.assertEqual(codes - documented, set())
