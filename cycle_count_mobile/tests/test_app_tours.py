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
        sync_records = self.env["cycle.count.sync.record"].search(
            [("task_id", "=", self.task.id)]
        )
        return sync_records


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
        sync_records = self.device_counts()
        self.assertEqual(len(sync_records.filtered(lambda r: r.kind == "count")), 7)
        self.assertEqual(len(set(sync_records.mapped("client_ref"))), len(sync_records))
        # ... generated on the device, one per count, each landing on its line.
        for sync_record in sync_records.filtered(lambda r: r.kind == "count"):
            self.assertRegex(sync_record.client_ref, r"^[0-9a-f-]{36}$")
            self.assertEqual(sync_record.task_id, task)
            self.assertTrue(sync_record.line_id.is_counted)
        self.assertTrue(all(line.counter_id == self.counter for line in task.line_ids))


@tagged("post_install", "-at_install")
class TestAppCountingRules(AppCaseMixin, HttpCase):
    """The app's store is its cycle_count_store service, and it checks counts by
    the server's rules (config.counting): which task states accept counts, what a
    quantity may be, what a client id looks like, how many counts a request may
    carry. Held to the server's own definitions, state by state, value by value."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_app()

    def test_the_app_counts_by_the_servers_rules(self):
        tasks = self.env["cycle.count.task"]
        states = [
            value
            for value, _label in tasks._fields["state"]._description_selection(self.env)
        ]
        open_states = [
            state
            for state in states
            if tasks.new({"state": state}).is_open_for_counting
        ]
        self.assertTrue(open_states)
        self.assertNotEqual(open_states, states)
        lines = self.env["cycle.count.line"]
        samples = [0, 1, 2, 2.5, 1000000, -1, -0.5]
        valid = {
            tracking: [
                value
                for value in samples
                if not lines._count_quantity_refusal(value, product)
            ]
            for tracking, product in (
                ("none", self.product_apple),
                ("serial", self.product_serial),
            )
        }
        rules = self.env["cycle.count.api"]._counting_rules()
        code = f"""
            const config = odoo.__cycle_count_app__;
            const store = odoo.__WOWL_DEBUG__.root.env.services.cycle_count_store;
            const fail = (what) => console.error(`The app's rule differs: ${{what}}`);
            if (!store || store !== config.store) {{
                fail("the store is not the cycle_count_store service");
            }}
            const openStates = {open_states!r};
            for (const state of {states!r}) {{
                const task = {{ state, local_state: null }};
                if (store.isOpenForCounting(task) !== openStates.includes(state)) {{
                    fail(`counts on a task in state ${{state}}`);
                }}
            }}
            if (store.isOpenForCounting({{ state: openStates[0], local_state: "counted" }})) {{
                fail("a task finished on the device still takes counts");
            }}
            const valid = {valid!r};
            for (const tracking of ["none", "serial"]) {{
                for (const value of {samples!r}) {{
                    const error = store.rules.quantityError(String(value), {{ tracking }});
                    if (!error !== valid[tracking].includes(value)) {{
                        fail(`quantity ${{value}} of a product tracked by ${{tracking}}`);
                    }}
                }}
            }}
            if (!store.rules.quantityError("abc", {{ tracking: "none" }})) {{
                fail("a text taken as a quantity");
            }}
            const pattern = new RegExp({rules["client_id_pattern"]!r});
            const clientId = store.newClientId();
            if (!pattern.test(clientId)) {{
                fail(`client id ${{clientId}}`);
            }}
            let refused = false;
            try {{
                store.rules.checkClientId("not a client id!");
            }} catch {{
                refused = true;
            }}
            if (!refused) {{
                fail("a client id the server refuses");
            }}
            if (store.rules.batchSize(100000) !== {rules["max_counts_per_batch"]}) {{
                fail("the batch size limit");
            }}
            console.log("test successful");
        """
        self.browser_js(
            "/cycle_count/app",
            code,
            ready="odoo.__cycle_count_app__.whenReady.then(() => true)",
            login="cc_counter",
        )
