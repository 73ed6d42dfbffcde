import json
from concurrent.futures import Future

import odoo.http
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .common import API, ApiTestMixin
from .test_app_tours import AppCaseMixin
from .test_offline import APP, OFFLINE, ONLINE, DevTools

REASON = "Shelf B-01 has a hidden row"
PDA = "480x800"
PHONE = "390x844"


class SharedDeviceMixin(AppCaseMixin):
    """Counter A (Carl) with the usual task and a second one sent back for a
    recount (bolts in B-01, which the first task counts too); counter B (Cleo)
    with a task of her own."""

    @classmethod
    def _setup_shared(cls):
        cls._setup_app()
        cls.recount_task = cls._make_task(
            cls.counter, [(cls.bin_c, cls.product_bolt, None)]
        )
        line = cls.recount_task.line_ids
        line.with_user(cls.counter).counted_qty = 5
        # As a rejected variance report leaves it (cycle_count_approval): open
        # again, the rejected item to count again, and the reviewer's comment.
        line.sudo().is_counted = False
        cls.recount_task.sudo().write(
            {"state": "in_progress", "is_recount": True, "recount_reason": REASON}
        )
        cls.task_b2 = cls._make_task(
            cls.counter_2, [(cls.bin_c, cls.product_apple, None)]
        )


class LocationFirstCase(SharedDeviceMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_shared()

    def test_location_first_and_recount(self):
        self.start_tour(
            "/cycle_count/app", "cycle_count_location_first_tour", login="cc_counter"
        )
        # Opening and looking count nothing.
        self.assertFalse(self.device_counts())
        self.assertFalse(self.recount_task.line_ids.is_counted)


@tagged("post_install", "-at_install")
class TestLocationFirstPhone(LocationFirstCase, HttpCase):
    browser_size = PHONE


@tagged("post_install", "-at_install")
class TestLocationFirstPDA(LocationFirstCase, HttpCase):
    browser_size = PDA
    touch_enabled = False


class SharedDeviceCase(SharedDeviceMixin):
    """One browser, one device: A counts offline, A's session ends before the
    count is sent, B logs in on the same device and sees nothing of A's, B logs
    out, A logs in again and the count is sent under A's login."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_shared()
        # Read now: the test thread shares the test cursor with the server
        # thread, so no ORM read while the browser's requests are served.
        cls.logins = {user.id: user.login for user in cls.counter | cls.counter_2}
        cls.names_of_a = [cls.task.name, cls.recount_task.name]

    def _stop_browser(self, browser):
        if browser.ws is not None and browser.ws.connected:
            browser.stop()
            self._wait_remaining_requests()
        self.http_request_key = self.canonical_tag

    def _tour(self, browser, tools, name):
        """Run one tour of the story in the same browser (the browser's result
        is one-shot: a new one per tour)."""
        browser._result = Future()
        tools.wait_for(f"odoo.isTourReady('{name}')")
        browser._wait_code_ok(
            f"odoo.startTour('{name}', {{stepDelay: 0, keepWatchBrowser: false, "
            "debug: false, startUrl: '/cycle_count/app', delayToCheckUndeterminisms: 0})",
            60,
        )

    def _log_out(self, tools):
        tools.evaluate("document.querySelector('.o_ccm_logout').click()")
        tools.wait_for(
            "location.pathname === '/web/login' && document.querySelector('input[name=login]')"
        )

    def _log_in(self, tools, user):
        login = self.logins[user.id]
        tools.evaluate(
            "(() => { document.querySelector('input[name=login]').value = "
            f"{json.dumps(login)}; document.querySelector('input[name=password]')"
            f".value = {json.dumps(login)}; "
            "document.querySelector('form.oe_login_form').submit(); })()"
        )
        tools.wait_for(
            f"location.pathname === '/cycle_count/app' && {APP}.ready && "
            f"{APP}.user.id === {user.id}"
        )

    def _device_db(self, tools, user):
        """What the device keeps for ``user`` in their IndexedDB database."""
        name = f"cycle_count_mobile/{self.env.cr.dbname}/{user.id}"
        return tools.evaluate(
            "new Promise((resolve, reject) => { const request = indexedDB.open("
            f"{json.dumps(name)}); request.onerror = () => reject(request.error); "
            "request.onsuccess = () => { const db = request.result; const out = {}; "
            "const tx = db.transaction(['tasks', 'meta', 'queue'], 'readonly'); "
            "for (const store of ['tasks', 'meta', 'queue']) { tx.objectStore(store)"
            ".getAllKeys().onsuccess = (ev) => (out[store] = ev.target.result); } "
            "tx.oncomplete = () => { db.close(); resolve(out); }; }; })"
        )

    def test_switch_user_with_unsent_counts(self):
        browser = ChromeBrowser(self, success_signal="tour succeeded")
        self.addCleanup(self._stop_browser, browser)
        # As HttpCase.browser_js: the browser's requests use the test cursor.
        self.http_request_key = self.canonical_tag + "_browser_js"
        tools = DevTools(browser)
        self.authenticate("cc_counter", "cc_counter", browser=browser)
        session_a = self.session
        tools.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True},
        )
        self.cr.flush()
        self.cr.clear()
        browser.navigate_to(self.base_url() + "/cycle_count/app", wait_stop=True)
        tools.wait_for(f"{APP}.ready && {APP}.store.state.tasks.length === 2")
        tools.wait_for("navigator.serviceWorker.controller")
        tools.wait_for(
            "caches.open('cycle-count-app-v1').then((c) => c.match('/cycle_count/app'))"
        )

        # A counts offline: the count waits on the device.
        tools.network(OFFLINE)
        self._tour(browser, tools, "cycle_count_shared_device_count_tour")
        self.assertFalse(self.device_counts())
        # Meanwhile A's session ends (expired, or ended elsewhere): back online,
        # the count cannot be sent.
        odoo.http.root.session_store.delete(session_a)
        tools.network(ONLINE)
        tools.evaluate(f"{APP}.store.sync().then(() => true)")
        tools.wait_for(f"{APP}.store.state.needsLogin")
        self.assertEqual(tools.evaluate(f"{APP}.store.state.queue.length"), 1)

        # A hands the device over: the switch screen says what stays, and for whom.
        self._tour(browser, tools, "cycle_count_shared_device_switch_tour")
        self._log_out(tools)
        # On the device for A: the count, and the one task it belongs to; not
        # the other task, not the catalog, not A's page in the service worker.
        kept = self._device_db(tools, self.counter)
        self.assertEqual(len(kept["queue"]), 1)
        self.assertEqual(kept["tasks"], [self.task.id])
        self.assertNotIn("catalog", kept["meta"])
        self.assertFalse(
            tools.evaluate(
                "caches.open('cycle-count-app-v1').then((c) => c.match('/cycle_count/app'))"
                ".then((page) => !!page)"
            )
        )

        # B logs in on the same device: her own task only, nothing of A's.
        self._log_in(tools, self.counter_2)
        tools.wait_for(f"{APP}.store.state.tasks.length === 1")
        self._tour(browser, tools, "cycle_count_shared_device_other_user_tour")
        store_b = tools.evaluate(
            f"({{tasks: {APP}.store.state.tasks.map((t) => t.id), "
            f"queue: {APP}.store.state.queue.length, db: {APP}.store.db.name, "
            "text: document.body.innerText})"
        )
        self.assertEqual(store_b["tasks"], [self.task_b2.id])
        self.assertEqual(store_b["queue"], 0)
        self.assertTrue(store_b["db"].endswith(f"/{self.counter_2.id}"))
        for name in (*self.names_of_a, "Carl Counter"):
            self.assertNotIn(name, store_b["text"])
        # Her page, not A's, is the one kept for offline use.
        tools.wait_for(
            "caches.open('cycle-count-app-v1').then((c) => c.match('/cycle_count/app'))"
            ".then((page) => page && page.text()).then((html) => html && "
            "html.includes('Cleo Counter') && !html.includes('Carl Counter'))"
        )
        # A's count was not sent under B's login.
        self.assertFalse(self.device_counts())
        self.assertEqual(len(self._device_db(tools, self.counter)["queue"]), 1)

        # B logs out, A logs in again: A's count is sent, under A.
        self._log_out(tools)
        self._log_in(tools, self.counter)
        tools.wait_for(
            f"!{APP}.store.state.queue.length && !{APP}.store.state.syncing",
            message="A's count was not sent after A logged in again",
        )
        self.assertEqual(tools.evaluate(f"{APP}.store.state.refused.length"), 0)
        sync_records = self.device_counts()
        self.assertEqual(len(sync_records), 1)
        self.assertEqual(sync_records.user_id, self.counter)
        self.assertEqual(sync_records.line_id, self.line_apple)
        self.assertEqual(self.line_apple.counted_qty, 7)
        self.assertEqual(self.line_apple.counter_id, self.counter)


@tagged("post_install", "-at_install")
class TestSharedDevicePhone(SharedDeviceCase, HttpCase):
    browser_size = PHONE


@tagged("post_install", "-at_install")
class TestSharedDevicePDA(SharedDeviceCase, HttpCase):
    browser_size = PDA
    touch_enabled = False


@tagged("post_install", "-at_install")
class TestCountsSentUnderTheirCounter(SharedDeviceMixin, ApiTestMixin, HttpCase):
    """The app names the user whose counts it sends; under another's session the
    API refuses them and writes nothing. And a task sent back for a recount says
    so in the API's task payload, with its reason, and nothing of the book or of
    the earlier count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_shared()

    def _post_counts(self, user_header):
        headers = {"Content-Type": "application/json"}
        if user_header:
            headers["X-Cycle-Count-User"] = str(user_header)
        body = {
            "counts": [
                {
                    "client_id": "6f1c2f1e-6b1a-4c1e-9d1a-0a0b0c0d0e0f",
                    "line_id": self.line_apple.id,
                    "quantity": 7,
                }
            ]
        }
        url = f"{API}/tasks/{self.task.id}/counts"
        response = self.url_open(url, data=json.dumps(body), headers=headers)
        self.assertMatchesOpenApi("POST", url, response)
        return response

    def test_another_users_session_is_refused(self):
        # A supervisor may count any task: still not A's counts under B's login.
        self.authenticate("cc_supervisor", "cc_supervisor")
        response = self._post_counts(self.counter.id)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"]["code"], "user_changed")
        self.assertFalse(self.device_counts())
        self.assertFalse(self.line_apple.is_counted)
        # Under the counter's own session the same count goes through.
        self.authenticate("cc_counter", "cc_counter")
        response = self._post_counts(self.counter.id)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.device_counts().user_id, self.counter)

    def test_recount_in_the_task_payload(self):
        tasks = self.api("GET", "/tasks", key=self.api_key).json()["tasks"]
        flags = {
            task["id"]: (task["is_recount"], task["recount_reason"]) for task in tasks
        }
        self.assertEqual(
            flags,
            {self.task.id: (False, None), self.recount_task.id: (True, REASON)},
        )
        detail = self.api("GET", f"/tasks/{self.recount_task.id}", key=self.api_key)
        detail = detail.json()
        self.assertEqual(
            (detail["is_recount"], detail["recount_reason"]), (True, REASON)
        )
        # Blind: the item to recount comes without its earlier count.
        (line,) = detail["lines"]
        self.assertEqual((line["is_counted"], line["counted_qty"]), (False, None))
