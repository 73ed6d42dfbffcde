import base64

from odoo.tests import HttpCase, tagged

from .common import ApiTestMixin, png_bytes


@tagged("post_install", "-at_install")
class TestApiFloor(ApiTestMixin, HttpCase):
    """What the app on the floor needs of the API: a product search for an item
    without a readable label, thumbnails and short bin names, and the counter's
    hint and note sent with a count. Every answer is checked against the OpenAPI
    document."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_mobile()
        cls.product_apple.image_1920 = base64.b64encode(png_bytes((200, 200)))
        cls.env["product.product"].create(
            {"name": "Apple Crate (service)", "type": "service"}
        )

    def search(self, query, key=None, **params):
        url = "/products" if query is None else f"/products?q={query}"
        for name, value in params.items():
            url += f"{'&' if '?' in url else '?'}{name}={value}"
        return self.api("GET", url, key=key or self.api_key)

    def found(self, query, **params):
        response = self.search(query, **params)
        self.assertEqual(response.status_code, 200, response.text)
        return [product["id"] for product in response.json()["products"]]

    # ------------------------------------------------------------------
    # GET /products
    # ------------------------------------------------------------------
    def test_search_by_name_code_barcode_and_packaging(self):
        self.assertEqual(self.found("apple"), [self.product_apple.id])
        self.assertEqual(self.found("CC-BLT"), [self.product_bolt.id])
        self.assertEqual(self.found("4006381"), [self.product_apple.id])
        # A packaging's barcode, whole.
        self.assertEqual(self.found("15901234123454"), [self.product_bolt.id])
        self.assertEqual(self.found("nothing-like-this"), [])
        self.assertEqual(len(self.found("CC-", limit=2)), 2)

    def test_search_gives_thumbnails_and_units(self):
        response = self.search("apple")
        (apple,) = response.json()["products"]
        self.assertTrue(apple["image"].startswith("data:image/png;base64,"))
        self.assertEqual(apple["uom"], self.product_apple.uom_id.name)
        (bolt,) = self.search("CC-BLT").json()["products"]
        self.assertIsNone(bolt["image"])
        self.assertEqual(bolt["packagings"][0]["qty"], 10)

    def test_search_within_my_companies_and_counter_rights(self):
        # Counter of company A: not the other company's product.
        self.assertEqual(self.found("Other Co Widget"), [])
        response = self.search("Other Co Widget", key=self.api_key_b)
        self.assertEqual(
            [p["id"] for p in response.json()["products"]], [self.product_b.id]
        )
        self.assertApiError(self.api("GET", "/products?q=apple"), 401, "unauthorized")

    def test_search_bad_input(self):
        self.assertApiError(self.search(None), 400, "invalid_query")
        self.assertApiError(self.search("a"), 400, "invalid_query")
        self.assertApiError(self.search("%20%20x%20"), 400, "invalid_query")
        self.assertApiError(self.search("x" * 101), 400, "invalid_query")
        self.assertApiError(self.search("apple", limit=0), 400, "invalid_parameter")
        self.assertApiError(self.search("apple", limit=21), 400, "invalid_parameter")
        self.assertApiError(self.search("apple", limit="x"), 400, "invalid_parameter")

    # ------------------------------------------------------------------
    # What a device reads: short bin names, thumbnails, hints
    # ------------------------------------------------------------------
    def test_task_has_short_bin_names_thumbnails_and_hints(self):
        self.line_chip.sudo().write({"count_hint": "damaged", "note": "Box crushed"})
        task = self.api("GET", f"/tasks/{self.task.id}", key=self.api_key).json()
        location = next(loc for loc in task["locations"] if loc["id"] == self.bin_a.id)
        self.assertEqual(location["short_name"], "A-01")
        self.assertEqual(location["name"], self.bin_a.complete_name)
        images = {product["id"]: product["image"] for product in task["products"]}
        self.assertTrue(images[self.product_apple.id].startswith("data:image/"))
        self.assertIsNone(images[self.product_bolt.id])
        chip = next(line for line in task["lines"] if line["id"] == self.line_chip.id)
        self.assertEqual((chip["hint"], chip["note"]), ("damaged", "Box crushed"))

    # ------------------------------------------------------------------
    # POST /tasks/{id}/counts with a hint and a note
    # ------------------------------------------------------------------
    def test_count_with_hint_and_note(self):
        response = self.count(
            self.task.id,
            [
                {
                    "client_id": "hint-1",
                    "line_id": self.line_apple.id,
                    "quantity": 4,
                    "hint": "label",
                    "note": "Label torn",
                },
                {
                    "client_id": "hint-2",
                    "location_id": self.bin_a.id,
                    "product_id": self.product_chip.id,
                    "quantity": 1,
                    "hint": "wrong_location",
                },
            ],
        )
        self.assertEqual(response.status_code, 200, response.text)
        line = self.line_apple
        self.assertEqual(
            (line.counted_qty, line.count_hint, line.note), (4, "label", "Label torn")
        )
        found = self.task.line_ids.filtered("is_found")
        self.assertEqual(found.count_hint, "wrong_location")
        # A later count without a hint keeps what was said.
        self.count(
            self.task.id,
            [{"client_id": "hint-3", "line_id": line.id, "quantity": 5}],
        )
        self.assertEqual((line.counted_qty, line.count_hint), (5, "label"))

    def test_bad_hint_is_refused_and_nothing_written(self):
        for index, hint in enumerate(("broken", 5, "")):
            with self.subTest(hint=hint):
                response = self.count(
                    self.task.id,
                    [
                        {
                            "client_id": f"ok-{index}",
                            "line_id": self.line_bolt.id,
                            "quantity": 2,
                        },
                        {
                            "client_id": f"bad-{index}",
                            "line_id": self.line_apple.id,
                            "quantity": 4,
                            "hint": hint,
                        },
                    ],
                )
                error = self.assertApiError(response, 422, "invalid_count")
                self.assertEqual(
                    [(item["index"], item["code"]) for item in error["items"]],
                    [(1, "invalid_hint")],
                )
                self.assertIn("hint", error["items"][0]["message"])
        self.assertFalse(self.task.line_ids.filtered("is_counted"))
        self.assertFalse(self.task.line_ids.filtered("count_hint"))
        self.assertFalse(
            self.env["cycle.count.sync.record"].search([("task_id", "=", self.task.id)])
        )

    def test_counter_may_give_a_hint_in_the_backend(self):
        line = self.line_apple.with_user(self.counter)
        line.write({"count_hint": "expired", "note": "Best before last month"})
        self.assertEqual(self.line_apple.count_hint, "expired")
        rules = self.env["cycle.count.api"]._counting_rules()
        self.assertEqual(
            [hint["value"] for hint in rules["count_hints"]],
            ["damaged", "label", "wrong_location", "expired", "other"],
        )
