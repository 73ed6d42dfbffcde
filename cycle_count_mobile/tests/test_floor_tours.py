import base64

from odoo.tests import HttpCase, tagged

from .common import png_bytes
from .test_app_tours import AppCaseMixin


class FloorToursMixin(AppCaseMixin):
    """The counting app on the floor: the camera button, typing and searching,
    the PDA's keys, counts only on purpose, what the counter saw. Each tour runs
    on the phone and on the PDA viewport (the classes below)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_app()
        cls.product_apple.image_1920 = base64.b64encode(png_bytes((300, 300)))
        # Created after the device fetched its catalog (the tour drops it there).
        cls.product_wrap = cls.env["product.product"].create(
            {
                "name": "Pallet Wrap",
                "default_code": "CC-WRP",
                "is_storable": True,
                "barcode": "7777700000001",
            }
        )

    def test_camera_button(self):
        self.start_tour(
            "/cycle_count/app", "cycle_count_floor_camera_tour", login="cc_counter"
        )

    def test_type_search_and_pda_keys(self):
        self.start_tour(
            "/cycle_count/app", "cycle_count_floor_entry_tour", login="cc_counter"
        )
        lines = self.task.line_ids
        self.assertEqual(self.line_apple.counted_qty, 1.5)
        self.assertEqual(self.line_bolt.counted_qty, 48)
        wrap = lines.filtered(lambda line: line.product_id == self.product_wrap)
        self.assertTrue(wrap.is_found)
        self.assertEqual((wrap.location_id, wrap.counted_qty), (self.bin_a, 3))
        # Nothing else was counted: a search, a typed location, a typed
        # "nothing" record nothing.
        self.assertEqual(
            lines.filtered("is_counted"), self.line_apple | self.line_bolt | wrap
        )

    def test_every_count_on_purpose_and_what_was_seen(self):
        self.start_tour(
            "/cycle_count/app",
            "cycle_count_floor_deliberate_tour",
            login="cc_counter",
        )
        self.assertEqual(
            self.task.line_ids.filtered("is_counted"),
            self.line_sn1 | self.line_sn2 | self.line_lot,
        )
        self.assertEqual((self.line_sn1.counted_qty, self.line_sn2.counted_qty), (1, 0))
        self.assertFalse(self.line_chip.is_counted)
        # Moving on recorded nothing: one count per deliberate act.
        counts = self.device_counts().filtered(lambda record: record.kind == "count")
        self.assertEqual(len(counts), 3)
        line = self.line_lot
        self.assertEqual(line.counted_qty, 20)
        self.assertEqual(line.count_hint, "label")
        self.assertEqual(line.note, "Label torn, lot read from the box")
        # The supervisor reads it; the variance reason is still theirs to set.
        line = line.with_user(self.supervisor)
        self.assertEqual((line.count_hint, line.note), ("label", line.note))
        self.assertFalse(line.reason_id)


@tagged("post_install", "-at_install")
class TestFloorToursPhone(FloorToursMixin, HttpCase):
    browser_size = "390x844"


@tagged("post_install", "-at_install")
class TestFloorToursPda(FloorToursMixin, HttpCase):
    browser_size = "480x800"
