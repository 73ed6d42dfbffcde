from odoo.tests import HttpCase, tagged

from .common import MobileTestMixin


class AppCaseMixin(MobileTestMixin):
    """The app in headless Chromium on a phone-sized, touch screen."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def _setup_app(cls):
        cls._setup_mobile()
        cls.product_chip.barcode = "2222200000009"
        # A location of the warehouse that the task does not count.
        cls.env["stock.location"].create(
            {
                "name": "Z-99",
                "location_id": cls.stock_location.id,
                "barcode": "CCT-Z99",
            }
        )
        cls.counter.groups_id |= cls.env.ref("stock.group_production_lot")

    def device_counts(self):
        receipts = self.env["cycle.count.sync.record"].search(
            [("task_id", "=", self.task.id)]
        )
        return receipts


@tagged("post_install", "-at_install")
class TestCountingAppTour(AppCaseMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_app()

    def test_the_app_is_installable(self):
        self.authenticate("cc_counter", "cc_counter")
        page = self.url_open("/cycle_count/app")
        self.assertEqual(page.status_code, 200)
        self.assertIn(
            'rel="manifest" href="/cycle_count/app/manifest.webmanifest"', page.text
        )
        self.assertIn("width=device-width", page.text)
        manifest = self.url_open("/cycle_count/app/manifest.webmanifest")
        self.assertEqual(manifest.headers["Content-Type"], "application/manifest+json")
        manifest = manifest.json()
        self.assertEqual(
            (manifest["start_url"], manifest["scope"], manifest["display"]),
            ("/cycle_count/app", "/cycle_count/app", "standalone"),
        )
        for icon in manifest["icons"]:
            self.assertEqual(self.url_open(icon["src"]).status_code, 200)
        worker = self.url_open("/cycle_count/app/sw.js")
        self.assertEqual(worker.headers["Service-Worker-Allowed"], "/cycle_count/app")
        self.assertIn("text/javascript", worker.headers["Content-Type"])
        self.logout()
        response = self.url_open("/cycle_count/app", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_count_a_task_by_scanning(self):
        self.start_tour(
            "/cycle_count/app", "cycle_count_mobile_scan_tour", login="cc_counter"
        )
        task = self.task
        self.assertEqual(task.state, "counted")
        counted = {
            (line.location_id, line.product_id, line.lot_id): line.counted_qty
            for line in task.line_ids
        }
        self.assertEqual(
            counted,
            {
                (self.bin_a, self.product_apple, self.lot_1.browse()): 3,
                (self.bin_a, self.product_bolt, self.lot_1.browse()): 48,
                (self.bin_a, self.product_chip, self.lot_1.browse()): 2,
                (self.bin_b, self.product_chip, self.lot_1.browse()): 0,
                (self.bin_b, self.product_serial, self.serial_1): 1,
                (self.bin_b, self.product_serial, self.serial_2): 0,
                (self.bin_c, self.product_lot, self.lot_1): 20,
            },
        )
        found = task.line_ids.filtered("is_found")
        self.assertEqual(
            (found.location_id, found.product_id), (self.bin_a, self.product_chip)
        )
        # The photo: compressed on the device to a JPEG of at most 1600 pixels.
        photo = found.attachment_ids
        self.assertEqual(len(photo), 1)
        self.assertEqual(photo.mimetype, "image/jpeg")
        self.assertLess(photo.file_size, 200 * 1024)
        self.assertTrue(found.with_user(self.supervisor).attachment_ids)
        # Every count arrived once, under its own client id.
        receipts = self.device_counts()
        self.assertEqual(len(receipts.filtered(lambda r: r.kind == "count")), 7)
        self.assertEqual(len(set(receipts.mapped("client_ref"))), len(receipts))
        # ... generated on the device, one per count, each landing on its line.
        for receipt in receipts.filtered(lambda r: r.kind == "count"):
            self.assertRegex(receipt.client_ref, r"^[0-9a-f-]{36}$")
            self.assertEqual(receipt.task_id, task)
            self.assertTrue(receipt.line_id.is_counted)
        self.assertTrue(all(line.counter_id == self.counter for line in task.line_ids))
