/** @odoo-module **/

import { markRaw, toRaw } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { compressPhoto, signal } from "../device";
import { ScanIndex } from "../scan_index";

function number(text) {
    const value = parseFloat(text);
    return Number.isFinite(value) ? value : 0;
}

/**
 * Counting one task on the device: where the counter is (location, package), the
 * quantity being entered, the question waiting for an answer and the last message;
 * and what the counter can do (every count is stored on the device before it is
 * sent). The task screen makes it reactive and its parts share it; scans are
 * turned into these actions by ScanHandler.
 */
export class CountingSession {
    constructor(store, taskId, onDone) {
        // Not observed: the store is a service, the callback and caches are plain.
        this.store = store;
        this.onDone = onDone;
        this.cache = markRaw({
            index: null,
            indexKey: null,
            indexTask: null,
            scanStartedAt: null,
            // Keys typed into the quantity in one quick burst (see typeKey).
            keyBurst: null,
            // The Enter key being handled, and the one that ended the last scan.
            enterEvent: null,
            scanEndedWith: null,
        });
        // Observed through this.storeState: the task and its lines change as counts go.
        this.storeState = store.state;
        this.taskId = taskId;
        this.locationId = null;
        this.packageId = null;
        // The quantity being entered: { line, qty (text), fresh, source, packaging,
        // hint, note, savedQty? }. `source` says how the quantity came: "scan"
        // (each scan is a count of what it shows), "open" (a tap, nothing decided)
        // or "typed" (waiting for OK). Only scans are recorded by moving on.
        this.panel = null;
        // A quantity dropped by moving on (typed, never confirmed): told with the
        // next message.
        this.dropped = null;
        // The location's full path shown instead of its short name.
        this.showPath = false;
        // A tracked product waiting for its lot or serial: { product, qty }.
        this.awaitLot = null;
        // A question waiting for an answer: { kind, text, ... }.
        this.confirm = null;
        this.message = null;
    }

    // ------------------------------------------------------------------
    // What the screens show
    // ------------------------------------------------------------------
    get task() {
        return this.storeState.tasks.find((task) => task.id === this.taskId);
    }

    /** Every scan is answered from the device: the task's and the catalog's codes. */
    get index() {
        const task = toRaw(this.task);
        const catalog = this.store.catalog;
        const key = `${task.lines.length}/${task.lots.length}/${catalog.fetched_at}`;
        const cache = this.cache;
        if (!cache.index || cache.indexKey !== key || cache.indexTask !== task) {
            cache.index = new ScanIndex(task, catalog, this.store.config.nomenclature);
            cache.indexTask = task;
            cache.indexKey = key;
        }
        return cache.index;
    }

    get isClosed() {
        return !this.store.isOpenForCounting(this.task);
    }

    get location() {
        return this.task.locations.find((l) => l.id === this.locationId);
    }

    get locationLines() {
        return this.task.lines.filter((line) => line.location_id === this.locationId);
    }

    get progress() {
        return this.store.progress(this.task);
    }

    get hasUncounted() {
        return this.locationLines.some((line) => !this.store.isLineCounted(line));
    }

    get panelIsNew() {
        return !this.task.lines.some((line) => line.key === this.panel.line.key);
    }

    locationProgress(location) {
        const lines = this.task.lines.filter((line) => line.location_id === location.id);
        const counted = lines.filter((line) => this.store.isLineCounted(line)).length;
        return { counted, total: lines.length };
    }

    product(line) {
        return this.store.productOf(this.task, line.product_id) || { name: "?", tracking: "none" };
    }

    lineQty(line) {
        return this.store.lineQty(line);
    }

    // ------------------------------------------------------------------
    // Feedback
    // ------------------------------------------------------------------
    say(type, text) {
        const dropped = this.dropped;
        this.dropped = null;
        if (dropped) {
            text = _t("Not recorded (not confirmed with OK): %(product)s %(qty)s. %(next)s", {
                ...dropped,
                next: text || "",
            });
            type = type === "danger" ? type : "warning";
        }
        this.message = { type, text, at: Date.now() };
        signal(type !== "danger");
    }

    /** Run a store write; its failure (e.g. no space left) is shown, never lost. */
    persist(promise) {
        promise.catch((error) => {
            this.message = {
                type: "danger",
                text: _t("This count could not be stored on the device: %(error)s", {
                    error: error.message,
                }),
                at: Date.now(),
            };
            signal(false);
        });
        return promise;
    }

    needLocation() {
        if (!this.locationId) {
            this.say("danger", _t("Scan a location first (or pick it from the list)."));
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------
    // Where the counter is
    // ------------------------------------------------------------------
    enterLocation(location) {
        this.leavePanel();
        this.locationId = location.id;
        this.packageId = null;
        this.awaitLot = null;
        this.say("success", _t("Counting %(location)s", { location: location.short_name || location.name }));
    }

    enterPackage(pack) {
        this.leavePanel();
        this.packageId = pack.id;
        this.say("success", _t("Package %(package)s", { package: pack.name }));
    }

    leaveLocation() {
        this.leavePanel();
        this.locationId = null;
        this.packageId = null;
        this.awaitLot = null;
        this.showPath = false;
        if (this.dropped) {
            this.say("warning", "");
        } else {
            this.message = null;
        }
    }

    // ------------------------------------------------------------------
    // Items: listed ones, found ones
    // ------------------------------------------------------------------
    findLine(product, lotName) {
        return this.locationLines.find(
            (line) =>
                line.product_id === product.id &&
                (line.lot?.name || null) === (lotName || null) &&
                (line.package?.id || null) === (this.packageId || null)
        );
    }

    /**
     * A scanned item: its quantity goes up by `qty` (a packaging, `packaging`
     * its name) or 1.
     */
    openItem(product, lotName, qty, packaging) {
        const step = qty || 1;
        const line = this.findLine(product, lotName);
        const panel = this.panel;
        if (panel && line && panel.line.key === line.key) {
            panel.qty = String(number(panel.qty) + step);
            panel.fresh = true;
            if (panel.source !== "typed") {
                panel.source = "scan";
            }
            panel.packaging = this.addPackaging(panel.packaging, packaging, qty);
            this.say("success", _t("%(product)s: %(qty)s", { product: product.name, qty: panel.qty }));
            return;
        }
        this.leavePanel();
        if (!line) {
            this.askFound(product, lotName, step, false, packaging);
            return;
        }
        this.panel = this.newPanel(line, {
            qty: String((this.lineQty(line) || 0) + step),
            source: "scan",
            packaging: this.addPackaging(null, packaging, qty),
        });
        this.say("success", _t("%(product)s: %(qty)s", { product: product.name, qty: this.panel.qty }));
    }

    newPanel(line, values) {
        return {
            line,
            qty: "",
            fresh: true,
            source: "open",
            packaging: null,
            hint: line.hint || null,
            note: line.note || "",
            showNote: false,
            ...values,
        };
    }

    /** What the packagings scanned add up to: { name, qty, count } (same one). */
    addPackaging(current, name, qty) {
        if (!name) {
            return current?.name ? null : current;
        }
        if (current && current.name === name) {
            return { ...current, count: current.count + 1 };
        }
        return { name, qty, count: 1 };
    }

    /**
     * A product picked from a search (an item without a readable label): as its
     * scan, but the quantity is typed, not counted one by the pick.
     */
    pickProduct(product, scans) {
        if (!this.needLocation()) {
            return;
        }
        if (product.tracking !== "none") {
            // Its lot or serial next, as after a scan of the product.
            scans.onItem({ product, qty: null, lotName: null });
            return;
        }
        const line = this.findLine(product, null);
        if (line) {
            this.openLine(line);
            this.say("info", _t("Type the quantity of %(product)s, then OK.", { product: product.name }));
            return;
        }
        this.leavePanel();
        this.askFound(product, null, null, false);
    }

    /** A serial scanned: counted 1 at once (or offered as found here). */
    countSerial(product, serial) {
        this.leavePanel();
        const line = this.findLine(product, serial);
        if (line) {
            this.persist(this.store.recordCount(this.task, line, 1));
            this.say("success", _t("Serial %(serial)s counted.", { serial }));
        } else {
            this.askFound(product, serial, 1, true);
        }
    }

    askFound(product, lotName, qty, serial, packaging) {
        const lot = lotName ? _t(" (lot %(lot)s)", { lot: lotName }) : "";
        this.confirm = {
            kind: "found",
            product,
            lotName,
            qty,
            serial,
            packaging,
            text: _t("%(product)s%(lot)s is not listed in %(location)s. Add it as found here?", {
                product: product.name,
                lot,
                location: this.location.name,
            }),
        };
        this.say("warning", _t("Not listed in this location."));
    }

    confirmFound() {
        const { product, lotName, qty, serial, packaging } = this.confirm;
        this.confirm = null;
        const lot = lotName
            ? this.task.lots.find((l) => l.product_id === product.id && l.name === lotName)
            : null;
        const pack = this.packageId
            ? this.locationLines.find((line) => line.package?.id === this.packageId)?.package
            : null;
        const line = this.store.newFoundLine(this.task, {
            product,
            location: this.location,
            lotName,
            lot,
            pack,
        });
        if (serial) {
            this.persist(this.store.recordCount(this.task, line, 1));
            this.say("success", _t("Serial %(serial)s counted (found here).", { serial: lotName }));
            return;
        }
        if (!qty) {
            // Picked from a search: the counter types how many.
            this.panel = this.newPanel(line, {});
            this.say("info", _t("Type the quantity of %(product)s, then OK.", { product: product.name }));
            return;
        }
        this.panel = this.newPanel(line, {
            qty: String(qty),
            source: "scan",
            packaging: this.addPackaging(null, packaging, qty),
        });
        this.say("success", _t("%(product)s: %(qty)s", { product: product.name, qty: String(qty) }));
    }

    cancelConfirm() {
        this.confirm = null;
        this.message = null;
    }

    // ------------------------------------------------------------------
    // The quantity panel
    // ------------------------------------------------------------------
    openLine(line) {
        if (this.isClosed) {
            return;
        }
        this.leavePanel();
        const product = this.product(line);
        // Nothing pre-filled that moving on could record: the counter decides.
        this.panel = this.newPanel(line, {
            qty: String(this.lineQty(line) ?? ""),
            serial: product.tracking === "serial",
        });
        if (this.dropped) {
            this.say("warning", "");
        } else {
            this.message = null;
        }
    }

    /**
     * Moving on (another item, location or package, finishing): what scans
     * counted is recorded; a quantity typed or shown but not confirmed is not.
     */
    leavePanel() {
        const panel = this.panel;
        if (!panel) {
            return true;
        }
        if (panel.source === "scan") {
            return this.savePanel();
        }
        this.panel = null;
        if (panel.source === "typed" && panel.qty !== "" && panel.qty !== panel.savedQty) {
            this.dropped = { product: this.product(panel.line).name, qty: panel.qty };
        }
        return true;
    }

    /** Record what the panel holds; false (and a message) when it cannot. */
    savePanel() {
        const panel = this.panel;
        if (!panel) {
            return true;
        }
        if (panel.qty === "" || panel.qty === panel.savedQty) {
            // Nothing typed, or already recorded (with a photo) as it stands.
            this.panel = null;
            return true;
        }
        const error = this.store.rules.quantityError(panel.qty, this.product(panel.line));
        if (error) {
            this.say("danger", error);
            return false;
        }
        this.panel = null;
        this.persist(this.store.recordCount(this.task, panel.line, Number(panel.qty), this.said(panel)));
        return true;
    }

    /** What the counter says with the count: a hint and a note, when changed. */
    said(panel) {
        const line = panel.line;
        const said = {};
        if (panel.hint && panel.hint !== line.hint) {
            said.hint = panel.hint;
        }
        const note = (panel.note || "").trim();
        if (note !== (line.note || "")) {
            said.note = note;
        }
        return said;
    }

    /**
     * A key of the keypad (or of the PDA's keyboard): the first one after
     * opening or scanning replaces the quantity shown.
     */
    pressKey(key) {
        const panel = this.panel;
        if (key === "back") {
            panel.qty = panel.fresh ? "" : panel.qty.slice(0, -1);
        } else if (key === ".") {
            panel.qty = panel.fresh ? "0." : panel.qty.includes(".") ? panel.qty : `${panel.qty || "0"}.`;
        } else {
            panel.qty = panel.fresh || panel.qty === "0" ? key : panel.qty + key;
        }
        panel.fresh = false;
        panel.source = "typed";
    }

    /**
     * A digit from the hardware keyboard. A keyboard-wedge scanner types its
     * barcode the same way, faster: keys of one quick burst are remembered, so
     * that a scan ending the burst takes them back (see absorbScan).
     */
    typeKey(key, maxGapMs, raw = key) {
        const panel = this.panel;
        const now = browser.performance.now();
        let burst = this.cache.keyBurst;
        if (!burst || burst.lineKey !== panel.line.key || now - burst.lastAt > maxGapMs) {
            burst = {
                lineKey: panel.line.key,
                keys: "",
                before: { qty: panel.qty, fresh: panel.fresh, source: panel.source },
            };
        }
        // As the barcode service buffers it (a decimal comma stays a comma).
        burst.keys += raw;
        burst.lastAt = now;
        this.cache.keyBurst = burst;
        this.pressKey(key);
    }

    /**
     * A scan while keys were typed into the quantity: they were the scanner's,
     * and are taken back; unless the "barcode" is just those digits and means
     * nothing here: then the counter typed fast (and its Enter confirms).
     * Returns true when the scan was such typing.
     */
    absorbScan(barcode, maxGapMs) {
        const burst = this.cache.keyBurst;
        this.cache.keyBurst = null;
        const panel = this.panel;
        if (
            !burst ||
            !panel ||
            panel.line.key !== burst.lineKey ||
            browser.performance.now() - burst.lastAt > 2 * maxGapMs
        ) {
            return false;
        }
        if (burst.keys === barcode.trim() && this.index.interpret(barcode).type === "unknown") {
            if (this.cache.enterEvent) {
                this.confirmPanel();
            }
            return true;
        }
        Object.assign(panel, burst.before);
        return false;
    }

    /** A serial's panel: there (1) or not there (0), one deliberate tap. */
    countSerialAs(qty) {
        this.panel.qty = String(qty);
        this.panel.source = "typed";
        this.confirmPanel();
    }

    confirmPanel() {
        const panel = this.panel;
        const product = this.product(panel.line);
        if (panel.qty === "") {
            this.say("danger", _t("Type the quantity of %(product)s (0 if there is none).", { product: product.name }));
            return;
        }
        if (this.savePanel()) {
            this.say("success", _t("Counted: %(product)s %(qty)s", { product: product.name, qty: panel.qty }));
        }
    }

    closePanel() {
        this.panel = null;
    }

    /** A photo of the item in the panel; a found item is counted first, so that it has a line. */
    async addPhoto(file) {
        const panel = this.panel;
        if (!file || !panel) {
            return;
        }
        let line = panel.line;
        if (this.panelIsNew) {
            if (panel.qty === "") {
                this.say("danger", _t("Type the quantity first, then take the photo."));
                return;
            }
            const error = this.store.rules.quantityError(panel.qty, this.product(line));
            if (error) {
                this.say("danger", error);
                return;
            }
            line = await this.persist(this.store.recordCount(this.task, line, Number(panel.qty)));
            panel.line = line;
            panel.savedQty = panel.qty;
            panel.fresh = true;
        }
        try {
            const { blob } = await compressPhoto(file);
            await this.persist(this.store.addPhoto(this.task, line, blob));
            this.say("success", _t("Photo kept (%(size)s KB); it is sent with the counts.", {
                size: Math.round(blob.size / 1024),
            }));
        } catch (error) {
            this.say("danger", _t("This file could not be read as a photo: %(error)s", { error: error.message }));
        }
    }

    // ------------------------------------------------------------------
    // Zeros and finishing
    // ------------------------------------------------------------------
    /** The "0" beside a line: asked first, never recorded on one tap. */
    askZero(line) {
        this.leavePanel();
        const lot = line.lot ? _t(" (lot %(lot)s)", { lot: line.lot.name }) : "";
        this.confirm = {
            kind: "zero",
            line,
            text: _t("Record 0 for %(product)s%(lot)s: none in %(location)s?", {
                product: this.product(line).name,
                lot,
                location: this.location.short_name || this.location.name,
            }),
        };
    }

    confirmZero() {
        const line = this.confirm.line;
        this.confirm = null;
        this.countZero(line);
    }

    countZero(line) {
        this.persist(this.store.recordCount(this.task, line, 0));
        this.say("success", _t("%(product)s confirmed as not there (0).", { product: this.product(line).name }));
    }

    askRestZero() {
        const rest = this.locationLines.filter((line) => !this.store.isLineCounted(line));
        this.confirm = {
            kind: "rest_zero",
            lines: rest,
            text: _t("Confirm the %(count)s items not counted in %(location)s as not there (0)?", {
                count: rest.length,
                location: this.location.name,
            }),
        };
    }

    confirmRestZero() {
        const lines = this.confirm.lines;
        this.confirm = null;
        this.leavePanel();
        this.persist(
            (async () => {
                for (const line of lines) {
                    await this.store.recordCount(this.task, line, 0);
                }
            })()
        );
        this.say("success", _t("%(count)s items confirmed as not there (0).", { count: lines.length }));
    }

    askFinish() {
        this.leavePanel();
        const { counted, total } = this.progress;
        if (counted < total) {
            this.say("danger", _t("%(count)s items are not counted yet: count them, or confirm them as 0.", {
                count: total - counted,
            }));
            return;
        }
        this.confirm = {
            kind: "finish",
            text: _t("Finish %(task)s? Counts cannot be changed afterwards.", { task: this.task.name }),
        };
    }

    async confirmFinish() {
        this.confirm = null;
        await this.persist(this.store.markCounted(this.task));
        this.onDone();
    }
}
