/** @odoo-module **/

import { markRaw, reactive, toRaw } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { apiCall, NetworkError } from "./api";
import { CountingRules } from "./counting_rules";
import { blobToBase64, uuid } from "./device";
import { LocalDB } from "./local_db";

export const BATCH_SIZE = 100;
const RETRY_MS = 15000;
const CATALOG_MAX_AGE_MS = 12 * 3600 * 1000;

/** A plain copy for IndexedDB (reactive proxies cannot be stored). */
function plain(value) {
    return JSON.parse(JSON.stringify(toRaw(value)));
}

function serverLine(line) {
    return { ...line, key: `l${line.id}`, local_qty: null, local_at: null, sync: null, local_photos: 0 };
}

/**
 * The device's side of counting: the tasks it keeps, every count stored on the
 * device first (IndexedDB) with a client-generated id, and a queue sent in order
 * when the network allows. The server applies each client id at most once, so
 * sending again is always safe. What the server refuses moves to a visible list,
 * with its reason, until the counter dismisses it.
 */
export class CountStore {
    constructor(config) {
        this.config = config;
        this.rules = new CountingRules(config.counting);
        this.db = new LocalDB(`cycle_count_mobile/${config.db}/${config.user.id}`);
        this.catalog = { products: [], locations: [] };
        this.retryTimer = null;
        this.syncPromise = null;
        this.state = reactive({
            ready: false,
            online: browser.navigator.onLine,
            syncing: false,
            refreshing: false,
            needsLogin: false,
            // The session is another user's now (a shared device): log in again.
            userChanged: false,
            loggingOut: false,
            lastSyncAt: null,
            lastError: null,
            tasks: [],
            queue: [],
            refused: [],
        });
    }

    // ------------------------------------------------------------------
    // Loading
    // ------------------------------------------------------------------
    async load() {
        await this.db.open();
        await this.reloadFromDevice();
        const catalog = await this.db.get("meta", "catalog");
        if (catalog) {
            this.catalog = catalog;
        }
        this.state.ready = true;
        browser.addEventListener("online", () => {
            this.state.online = true;
            this.sync();
        });
        browser.addEventListener("offline", () => (this.state.online = false));
        document.addEventListener("visibilitychange", () => {
            if (document.visibilityState === "visible") {
                // Another tab may have counted or sent meanwhile.
                this.reloadFromDevice();
            }
        });
    }

    async reloadFromDevice() {
        const [tasks, queue, refused] = await Promise.all([
            this.db.getAll("tasks"),
            this.db.getAll("queue"),
            this.db.getAll("refused"),
        ]);
        this.state.tasks = this.sortTasks(tasks);
        this.state.queue = queue.map((item) => this.queueInfo(item));
        this.state.refused = refused;
    }

    async reloadQueue() {
        const [queue, refused] = await Promise.all([
            this.db.getAll("queue"),
            this.db.getAll("refused"),
        ]);
        this.state.queue = queue.map((item) => this.queueInfo(item));
        this.state.refused = refused;
    }

    sortTasks(tasks) {
        return tasks.sort(
            (a, b) => a.scheduled_date.localeCompare(b.scheduled_date) || a.id - b.id
        );
    }

    queueInfo(item) {
        // Photos stay in IndexedDB; the screens need only what the item is.
        const { photo: _photo, ...info } = item;
        return info;
    }

    getTask(taskId) {
        return this.state.tasks.find((task) => task.id === taskId);
    }

    pendingFor(taskId) {
        return this.state.queue.filter((item) => item.task_id === taskId).length;
    }

    lineQty(line) {
        return line.local_qty ?? (line.is_counted ? line.counted_qty : null);
    }

    isLineCounted(line) {
        return line.local_qty !== null || line.is_counted;
    }

    /** Counts are accepted on this task: the server's rule, and not finished here. */
    isOpenForCounting(task) {
        return this.rules.isOpenForCounting(task);
    }

    progress(task) {
        const counted = task.lines.filter((line) => this.isLineCounted(line)).length;
        return { counted, total: task.lines.length };
    }

    async saveTask(task) {
        await this.db.put("tasks", plain(task));
    }

    // ------------------------------------------------------------------
    // From the server: today's tasks and the catalog, kept on the device
    // ------------------------------------------------------------------
    async refresh({ catalog = false } = {}) {
        if (this.state.refreshing) {
            return;
        }
        this.state.refreshing = true;
        try {
            await this.sync();
            const list = await this.call("/tasks");
            // No body: an answer cut off (the page closing, a proxy's page).
            if (list.status !== 200 || !list.data) {
                return;
            }
            const keep = new Set(list.data.tasks.map((task) => task.id));
            for (const summary of list.data.tasks) {
                const detail = await this.call(`/tasks/${summary.id}`);
                if (detail.status === 200 && detail.data) {
                    await this.storeServerTask(detail.data);
                }
            }
            // Tasks gone from the list (counted, reassigned, cancelled) leave the
            // device, unless something of theirs is still to send or to read.
            for (const task of [...this.state.tasks]) {
                const busy =
                    this.pendingFor(task.id) ||
                    this.state.refused.some((item) => item.task_id === task.id);
                if (!keep.has(task.id) && !busy) {
                    await this.db.delete("tasks", task.id);
                    this.state.tasks.splice(
                        this.state.tasks.findIndex((t) => t.id === task.id),
                        1
                    );
                }
            }
            const age = Date.now() - (this.catalog.fetched_at || 0);
            if (catalog || age > CATALOG_MAX_AGE_MS) {
                await this.refreshCatalog();
            }
            this.state.lastError = null;
        } catch (error) {
            if (!(error instanceof NetworkError)) {
                throw error;
            }
            this.wentOffline(error);
        } finally {
            this.state.refreshing = false;
        }
    }

    async refreshCatalog() {
        const catalog = { key: "catalog", products: [], locations: [], fetched_at: Date.now() };
        let afterId = 0;
        while (afterId !== null) {
            const page = await this.call(`/catalog?after_id=${afterId}`);
            if (page.status !== 200 || !page.data) {
                return;
            }
            catalog.products.push(...page.data.products);
            if (!afterId) {
                catalog.locations = page.data.locations;
            }
            afterId = page.data.next_after_id;
        }
        await this.db.put("meta", catalog);
        this.catalog = catalog;
    }

    /** Merge a task from the server with what the device holds and has not sent. */
    async storeServerTask(data) {
        const local = this.getTask(data.id);
        const task = { ...data, lines: data.lines.map(serverLine), local_state: null };
        if (local) {
            // By id: a line found on the device keeps its local key once the
            // server knows it, so that what is queued for it still finds it.
            const byId = new Map(local.lines.filter((l) => l.id).map((l) => [l.id, l]));
            for (const line of task.lines) {
                const mine = byId.get(line.id);
                if (!mine) {
                    continue;
                }
                line.key = mine.key;
                line.local_photos = mine.local_photos;
                if (mine.sync && mine.sync !== "synced") {
                    Object.assign(line, {
                        local_qty: mine.local_qty,
                        local_at: mine.local_at,
                        sync: mine.sync,
                    });
                }
            }
            // Items found on the device and not yet known to the server.
            for (const line of local.lines) {
                if (!line.id) {
                    task.lines.push(line);
                }
            }
            task.local_state = local.local_state;
            Object.assign(local, task);
        } else {
            this.state.tasks.push(task);
            this.sortTasks(this.state.tasks);
        }
        await this.saveTask(this.getTask(data.id));
    }

    // ------------------------------------------------------------------
    // Counting on the device
    // ------------------------------------------------------------------
    productOf(task, productId) {
        return (
            task.products.find((p) => p.id === productId) ||
            this.catalog.products.find((p) => p.id === productId)
        );
    }

    /**
     * A product the server found for a search (not in the device's catalog):
     * known from now on, so that it can be counted; a count keeps it in its task.
     */
    knowProduct(product) {
        if (!this.catalog.products.some((p) => p.id === product.id)) {
            this.catalog.products.push(product);
        }
        return this.catalog.products.find((p) => p.id === product.id);
    }

    /** Search the company's storable products on the server (online only). */
    async searchProducts(text) {
        const query = new URLSearchParams({ q: text });
        const { status, data } = await this.call(`/products?${query}`);
        return status === 200 ? data.products : [];
    }

    lineLabel(task, line) {
        const product = this.productOf(task, line.product_id);
        const location = task.locations.find((l) => l.id === line.location_id);
        const lot = line.lot ? ` (${line.lot.name})` : "";
        return `${product?.name || line.product_id}${lot} @ ${location?.name || line.location_id}`;
    }

    /**
     * A line for an item found where the task did not list it; it joins the task
     * with its first count (recordCount).
     */
    newFoundLine(task, { product, location, lotName, lot, pack }) {
        return {
            key: `n${uuid()}`,
            id: null,
            location_id: location.id,
            product_id: product.id,
            lot: lot ? { id: lot.id, name: lot.name } : lotName ? { id: null, name: lotName } : null,
            package: pack ? { id: pack.id, name: pack.name } : null,
            is_counted: false,
            counted_qty: null,
            counted_at: null,
            is_found: true,
            note: null,
            hint: null,
            photo_count: 0,
            local_qty: null,
            local_at: null,
            sync: null,
            local_photos: 0,
        };
    }

    /**
     * Store the count on the device (with its queue entry, atomically), then send.
     * `said`: what the counter saw ({ hint, note }), sent with the count.
     */
    async recordCount(task, line, quantity, said = {}) {
        const existing = task.lines.find((l) => l.key === line.key);
        if (existing) {
            line = existing;
        } else {
            const product = this.productOf(task, line.product_id);
            if (!task.products.some((p) => p.id === product.id)) {
                task.products.push(toRaw(product));
            }
            task.lines.push(toRaw(line));
            line = task.lines[task.lines.length - 1];
        }
        const countedAt = new Date().toISOString();
        const item = {
            kind: "count",
            task_id: task.id,
            line_key: line.key,
            client_id: this.newClientId(),
            quantity,
            counted_at: countedAt,
            label: this.lineLabel(task, line),
            created_at: countedAt,
        };
        for (const key of ["hint", "note"]) {
            if (said[key] !== undefined && said[key] !== null) {
                item[key] = said[key];
                line[key] = said[key];
            }
        }
        line.local_qty = quantity;
        line.local_at = countedAt;
        line.sync = "pending";
        if (task.state === "draft") {
            task.state = "in_progress";
        }
        await this.enqueue(task, item);
        return line;
    }

    async addPhoto(task, line, blob) {
        const item = {
            kind: "photo",
            task_id: task.id,
            line_key: line.key,
            client_id: this.newClientId(),
            label: this.lineLabel(task, line),
            filename: `${this.lineLabel(task, line)}.jpg`.replace(/[\\/:*?"<>|]/g, "-"),
            photo: blob,
            created_at: new Date().toISOString(),
        };
        line.local_photos = (line.local_photos || 0) + 1;
        await this.enqueue(task, item);
    }

    async markCounted(task) {
        const item = {
            kind: "counted",
            task_id: task.id,
            client_id: this.newClientId(),
            label: task.name,
            created_at: new Date().toISOString(),
        };
        task.local_state = "counted";
        await this.enqueue(task, item);
    }

    newClientId() {
        return this.rules.checkClientId(uuid());
    }

    async enqueue(task, item) {
        const taskCopy = plain(task);
        await this.db.transaction(["tasks", "queue"], "readwrite", (stores) => {
            stores.tasks.put(taskCopy);
            stores.queue.add(item).onsuccess = (ev) => (item.seq = ev.target.result);
        });
        this.state.queue.push(this.queueInfo(item));
        this.sync();
    }

    async dismissRefused(item) {
        await this.db.delete("refused", item.seq);
        const index = this.state.refused.findIndex((r) => r.seq === item.seq);
        if (index >= 0) {
            this.state.refused.splice(index, 1);
        }
    }

    // ------------------------------------------------------------------
    // A shared device: switching user
    // ------------------------------------------------------------------
    /**
     * Log out so that another counter can log in on this device. What this user
     * has not sent stays in their own database on the device, and is sent under
     * their own login when they open the app here again (the API refuses it
     * under anyone else's). Everything else of theirs leaves the device, and the
     * service worker forgets their page, so that the next user starts from
     * nothing of theirs.
     */
    async logOut() {
        this.state.loggingOut = true;
        if (this.state.online && this.state.queue.length) {
            // One last try; what does not go stays for this user's next login.
            await this.sync();
        }
        await this.forgetAllButUnsent();
        const login = `/web/login?redirect=${encodeURIComponent(this.config.app)}`;
        browser.location.assign(`/web/session/logout?redirect=${encodeURIComponent(login)}`);
    }

    /** Keep only what is still to send or to read (and the tasks it belongs to). */
    async forgetAllButUnsent() {
        const [tasks, queue, refused] = await Promise.all([
            this.db.getAll("tasks"),
            this.db.getAll("queue"),
            this.db.getAll("refused"),
        ]);
        const keep = new Set([...queue, ...refused].map((item) => item.task_id));
        await this.db.transaction(["tasks", "meta"], "readwrite", (stores) => {
            for (const task of tasks) {
                if (!keep.has(task.id)) {
                    stores.tasks.delete(task.id);
                }
            }
            stores.meta.delete("catalog");
        });
        this.catalog = { products: [], locations: [] };
        // The page the service worker keeps is this user's (their session info).
        const caches = globalThis.caches;
        if (caches) {
            for (const name of await caches.keys()) {
                if (name.startsWith("cycle-count-app-")) {
                    await (await caches.open(name)).delete(this.config.app);
                }
            }
        }
    }

    // ------------------------------------------------------------------
    // Sending, in order, exactly once
    // ------------------------------------------------------------------
    async call(path, options) {
        const result = await apiCall(this.config.api, path, {
            ...options,
            user: this.config.user.id,
        });
        this.state.online = true;
        if (result.status === 401) {
            this.state.needsLogin = true;
            this.state.userChanged = result.data?.error?.code === "user_changed";
            throw new NetworkError("401");
        }
        this.state.needsLogin = false;
        this.state.userChanged = false;
        return result;
    }

    wentOffline(error) {
        this.state.lastError = error.message;
        if (!this.state.needsLogin) {
            this.state.online = false;
        }
        browser.clearTimeout(this.retryTimer);
        this.retryTimer = browser.setTimeout(() => this.sync(), RETRY_MS);
    }

    /** Send the queue; one run at a time per device (tabs included). */
    sync() {
        if (!this.syncPromise) {
            const run = () => this.syncQueue();
            const locked = browser.navigator.locks
                ? browser.navigator.locks.request("cycle_count_mobile_sync", run)
                : run();
            this.syncPromise = locked.finally(() => (this.syncPromise = null));
        }
        return this.syncPromise;
    }

    async syncQueue() {
        this.state.syncing = true;
        let refreshNeeded = false;
        try {
            for (;;) {
                const queue = (await this.db.getAll("queue")).sort((a, b) => a.seq - b.seq);
                if (!queue.length) {
                    break;
                }
                const first = queue[0];
                if (first.kind === "count") {
                    const batch = [];
                    for (const item of queue) {
                        if (
                            item.kind !== "count" ||
                            item.task_id !== first.task_id ||
                            batch.length >= this.rules.batchSize(BATCH_SIZE)
                        ) {
                            break;
                        }
                        batch.push(item);
                    }
                    refreshNeeded = (await this.sendCounts(batch)) || refreshNeeded;
                } else if (first.kind === "photo") {
                    await this.sendPhoto(first);
                } else {
                    await this.sendCounted(first);
                }
            }
            this.state.lastSyncAt = new Date().toISOString();
            this.state.lastError = null;
        } catch (error) {
            if (!(error instanceof NetworkError)) {
                throw error;
            }
            this.wentOffline(error);
        } finally {
            await this.reloadQueue();
            this.state.syncing = false;
        }
        if (refreshNeeded && this.state.online) {
            // A later count of the same line came from elsewhere: show it.
            this.refresh();
        }
    }

    countBody(task, item) {
        const line = task?.lines.find((l) => l.key === item.line_key);
        const body = {
            client_id: item.client_id,
            quantity: item.quantity,
            counted_at: item.counted_at,
        };
        for (const key of ["hint", "note"]) {
            if (item[key] !== undefined) {
                body[key] = item[key];
            }
        }
        if (line?.id) {
            body.line_id = line.id;
        } else if (line) {
            body.location_id = line.location_id;
            body.product_id = line.product_id;
            if (line.lot?.id) {
                body.lot_id = line.lot.id;
            } else if (line.lot) {
                body.lot_name = line.lot.name;
            }
            if (line.package) {
                body.package_id = line.package.id;
            }
        }
        return body;
    }

    async sendCounts(batch) {
        const taskId = batch[0].task_id;
        const task = await this.taskFor(taskId);
        let response;
        for (let attempt = 0; ; attempt++) {
            response = await this.call(`/tasks/${taskId}/counts`, {
                method: "POST",
                body: { counts: batch.map((item) => this.countBody(task, item)) },
            });
            if (!(response.status === 409 && response.data?.error?.code === "conflict")) {
                break;
            }
            if (attempt >= 2) {
                throw new NetworkError(response.data.error.message);
            }
            // The same client ids were being applied by another request: resend.
            await new Promise((resolve) => browser.setTimeout(resolve, 500));
        }
        const { status, data } = response;
        if (status === 200) {
            const results = new Map(data.results.map((r) => [r.client_id, r]));
            const applied = new Map(data.lines.map((line) => [line.line_id, line]));
            let superseded = false;
            await this.db.transaction(["tasks", "queue"], "readwrite", (stores) => {
                for (const item of batch) {
                    const result = results.get(item.client_id);
                    const line = task.lines.find((l) => l.key === item.line_key);
                    if (line && result) {
                        line.id = result.line_id;
                        line.is_counted = true;
                        superseded = superseded || result.status === "superseded";
                        if (applied.has(line.id)) {
                            line.counted_qty = applied.get(line.id).counted_qty;
                        }
                    }
                    stores.queue.delete(item.seq);
                }
                this.settleLines(task, batch);
                task.state = data.task_state;
                stores.tasks.put(plain(task));
            });
            return superseded;
        }
        const error = data.error || {};
        const itemErrors = new Map((error.items || []).map((e) => [e.index, e]));
        const refused = itemErrors.size
            ? batch.filter((_item, index) => itemErrors.has(index))
            : batch;
        await this.refuse(task, refused, (item) => {
            const own = itemErrors.get(batch.indexOf(item));
            return { code: own?.code || error.code, message: own?.message || error.message };
        });
        return false;
    }

    /** Lines with nothing left to send show what the server holds. */
    settleLines(task, sentItems) {
        const keys = new Set(sentItems.map((item) => item.line_key));
        const stillPending = new Set(
            this.state.queue
                .filter((q) => q.kind === "count" && !sentItems.some((s) => s.seq === q.seq))
                .map((q) => q.line_key)
        );
        for (const line of task.lines) {
            if (keys.has(line.key) && !stillPending.has(line.key) && line.sync === "pending") {
                line.sync = "synced";
                line.local_qty = null;
                line.local_at = null;
            }
        }
    }

    async refuse(task, items, reasonOf) {
        const now = new Date().toISOString();
        await this.db.transaction(["tasks", "queue", "refused"], "readwrite", (stores) => {
            for (const item of items) {
                const { photo: _photo, ...kept } = item;
                stores.refused.put({ ...kept, error: reasonOf(item), refused_at: now });
                stores.queue.delete(item.seq);
                const line = task?.lines.find((l) => l.key === item.line_key);
                if (line && item.kind === "count") {
                    line.sync = "refused";
                }
                if (line && item.kind === "photo") {
                    line.local_photos = Math.max(0, (line.local_photos || 1) - 1);
                }
                if (task && item.kind === "counted") {
                    task.local_state = null;
                }
            }
            if (task) {
                stores.tasks.put(plain(task));
            }
        });
    }

    /** The task as the screens show it (or, for another tab's, as stored). */
    async taskFor(taskId) {
        return this.getTask(taskId) || (await this.db.get("tasks", taskId));
    }

    async sendPhoto(item) {
        const task = await this.taskFor(item.task_id);
        const line = task?.lines.find((l) => l.key === item.line_key);
        if (!line?.id) {
            await this.refuse(task, [item], () => ({
                code: "count_not_accepted",
                message: _t("The count of this item was not accepted, so its photo cannot be sent."),
            }));
            return;
        }
        const { status, data } = await this.call(`/lines/${line.id}/photos`, {
            method: "POST",
            body: {
                client_id: item.client_id,
                filename: item.filename,
                data: await blobToBase64(item.photo),
            },
        });
        if (status === 200 || status === 201) {
            await this.db.transaction(["tasks", "queue"], "readwrite", (stores) => {
                line.local_photos = Math.max(0, (line.local_photos || 1) - 1);
                line.photo_count = (line.photo_count || 0) + (data.duplicate ? 0 : 1);
                stores.tasks.put(plain(task));
                stores.queue.delete(item.seq);
            });
            return;
        }
        await this.refuse(task, [item], () => data.error);
    }

    async sendCounted(item) {
        const task = await this.taskFor(item.task_id);
        const { status, data } = await this.call(`/tasks/${item.task_id}/counted`, {
            method: "POST",
            body: {},
        });
        if (status === 200) {
            await this.db.transaction(["tasks", "queue"], "readwrite", (stores) => {
                if (task) {
                    task.state = data.state;
                    task.local_state = null;
                    stores.tasks.put(plain(task));
                }
                stores.queue.delete(item.seq);
            });
            return;
        }
        await this.refuse(task, [item], () => data.error);
    }
}

/**
 * The store as the app's service: one per page, loaded from the device before
 * the app is mounted; components get it with useService("cycle_count_store").
 */
export const countStoreService = {
    async start() {
        const config = odoo.__cycle_count_app__;
        if (!config) {
            // Not the counting app's page: nothing to store.
            return null;
        }
        // markRaw: components observe store.state, never the store's own fields.
        const store = markRaw(new CountStore(config));
        await store.load();
        return store;
    },
};

registry.category("services").add("cycle_count_store", countStoreService);
