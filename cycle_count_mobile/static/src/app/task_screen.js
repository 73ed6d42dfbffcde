/** @odoo-module **/

import { Component, onPatched, useState } from "@odoo/owl";
import { BarcodeScanner } from "@barcodes/components/barcode_scanner";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { useBus, useService } from "@web/core/utils/hooks";
import { compressPhoto, signal } from "./device";
import { ScanIndex } from "./scan_index";

const KEYS = ["7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "back"];

/**
 * Counting one task: pick or scan a location, scan items, type quantities. Every
 * scan is answered from the device (ScanIndex), and every count is stored on the
 * device before it is sent.
 */
export class TaskScreen extends Component {
    static template = "cycle_count_mobile.TaskScreen";
    static components = { BarcodeScanner };
    static props = {
        store: Object,
        config: Object,
        taskId: Number,
        metrics: Object,
        onBack: Function,
    };

    setup() {
        this.barcode = useService("barcode");
        this.keys = KEYS;
        this.state = useState({
            locationId: null,
            packageId: null,
            // The quantity being entered: { line, qty (text), fresh }.
            panel: null,
            // A tracked product waiting for its lot or serial: { product, qty }.
            awaitLot: null,
            // A question waiting for an answer: { kind, text, ... }.
            confirm: null,
            message: null,
        });
        this.indexKey = null;
        this.scanStartedAt = null;
        useBus(this.barcode.bus, "barcode_scanned", (ev) => this.onScan(ev.detail.barcode));
        onPatched(() => {
            if (this.scanStartedAt !== null) {
                // From the scanner's Enter to the answer on the screen.
                this.props.metrics.lastScanMs = browser.performance.now() - this.scanStartedAt;
                this.props.metrics.scans = (this.props.metrics.scans || 0) + 1;
                this.scanStartedAt = null;
            }
        });
    }

    get store() {
        return this.props.store;
    }

    get task() {
        return this.store.getTask(this.props.taskId);
    }

    get index() {
        const task = this.task;
        const key = `${task.lines.length}/${task.lots.length}/${this.store.catalog.fetched_at}`;
        if (!this._index || this.indexKey !== key || this._indexTask !== task) {
            this._index = new ScanIndex(task, this.store.catalog, this.props.config.nomenclature);
            this._indexTask = task;
            this.indexKey = key;
        }
        return this._index;
    }

    get isClosed() {
        return this.task.local_state === "counted" || !["draft", "in_progress"].includes(this.task.state);
    }

    get location() {
        return this.task.locations.find((l) => l.id === this.state.locationId);
    }

    get locationLines() {
        return this.task.lines.filter((line) => line.location_id === this.state.locationId);
    }

    get progress() {
        return this.store.progress(this.task);
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

    displayQty(line) {
        const qty = this.lineQty(line);
        return qty === null || qty === undefined ? "—" : qty;
    }

    get hasUncounted() {
        return this.locationLines.some((line) => !this.store.isLineCounted(line));
    }

    get awaitLotText() {
        const product = this.state.awaitLot.product;
        return product.tracking === "serial"
            ? _t("Scan the serial number of %(product)s, or pick its line below.", {
                  product: product.name,
              })
            : _t("Scan the lot of %(product)s, or pick its line below.", {
                  product: product.name,
              });
    }

    get panelIsNew() {
        return !this.task.lines.some((line) => line.key === this.state.panel.line.key);
    }

    // ------------------------------------------------------------------
    // Feedback
    // ------------------------------------------------------------------
    say(type, text) {
        this.state.message = { type, text, at: Date.now() };
        signal(type !== "danger");
    }

    /** Run a store write; its failure (e.g. no space left) is shown, never lost. */
    persist(promise) {
        promise.catch((error) => {
            this.state.message = {
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

    // ------------------------------------------------------------------
    // Scanning
    // ------------------------------------------------------------------
    onScan(barcode) {
        this.scanStartedAt = browser.performance.now();
        if (this.isClosed) {
            this.say("warning", _t("This task is counted: nothing more to scan."));
            return;
        }
        this.state.confirm = null;
        const result = this.index.interpret(barcode);
        switch (result.type) {
            case "location":
                return this.onLocation(result.location);
            case "package":
                return this.onPackage(result.package);
            case "lot":
                return this.onLot(result.name, result.lots);
            case "item":
                return this.onItem(result);
            default:
                if (this.state.awaitLot && this.state.locationId) {
                    // Asked for a lot: a name the device does not know is a new lot.
                    return this.onTracked(this.state.awaitLot.product, barcode.trim(), this.state.awaitLot.qty);
                }
                this.say(
                    "danger",
                    _t("Unknown barcode %(barcode)s: not a location, product, lot or package of this task.", {
                        barcode,
                    })
                );
        }
    }

    onCameraScan(barcode) {
        this.onScan(barcode);
    }

    onLocation(location) {
        if (!this.index.isTaskLocation(location)) {
            this.say(
                "danger",
                _t("Wrong location: %(location)s is not part of this task.", {
                    location: location.name,
                })
            );
            return;
        }
        this.savePanel();
        this.state.locationId = location.id;
        this.state.packageId = null;
        this.state.awaitLot = null;
        this.say("success", _t("Counting %(location)s", { location: location.name }));
    }

    onPackage(pack) {
        if (!this.needLocation()) {
            return;
        }
        if (!this.locationLines.some((line) => line.package?.id === pack.id)) {
            this.say(
                "danger",
                _t("Package %(package)s is not listed in %(location)s.", {
                    package: pack.name,
                    location: this.location.name,
                })
            );
            return;
        }
        this.savePanel();
        this.state.packageId = pack.id;
        this.say("success", _t("Package %(package)s", { package: pack.name }));
    }

    needLocation() {
        if (!this.state.locationId) {
            this.say("danger", _t("Scan a location first (or pick it from the list)."));
            return false;
        }
        return true;
    }

    onLot(name, lots) {
        if (!this.needLocation()) {
            return;
        }
        const waiting = this.state.awaitLot;
        if (waiting) {
            if (!lots.some((lot) => lot.product_id === waiting.product.id)) {
                const other = this.store.productOf(this.task, lots[0].product_id);
                this.say(
                    "danger",
                    _t("Lot %(lot)s is a lot of %(other)s, not of %(product)s.", {
                        lot: name,
                        other: other?.name || "?",
                        product: waiting.product.name,
                    })
                );
                return;
            }
            return this.onTracked(waiting.product, name, waiting.qty);
        }
        const productIds = [...new Set(lots.map((lot) => lot.product_id))];
        if (productIds.length !== 1) {
            this.say("warning", _t("Lot %(lot)s exists for several products: scan the product first.", { lot: name }));
            return;
        }
        const product = this.store.productOf(this.task, productIds[0]);
        if (!product) {
            this.say("danger", _t("Unknown barcode %(barcode)s: not a location, product, lot or package of this task.", { barcode: name }));
            return;
        }
        this.onTracked(product, name, null);
    }

    onItem({ product, qty, lotName }) {
        if (!this.needLocation()) {
            return;
        }
        if (product.tracking !== "none") {
            if (lotName) {
                return this.onTracked(product, lotName, qty);
            }
            this.savePanel();
            this.state.awaitLot = { product, qty };
            this.say(
                "info",
                product.tracking === "serial"
                    ? _t("Scan the serial number of %(product)s.", { product: product.name })
                    : _t("Scan the lot of %(product)s.", { product: product.name })
            );
            return;
        }
        this.openItem(product, null, qty);
    }

    onTracked(product, lotName, qty) {
        this.state.awaitLot = null;
        if (product.tracking === "serial") {
            const counted = this.task.lines.find(
                (line) =>
                    line.product_id === product.id &&
                    line.lot?.name === lotName &&
                    this.store.lineQty(line) > 0
            );
            if (counted) {
                const where = this.task.locations.find((l) => l.id === counted.location_id);
                this.say(
                    "danger",
                    _t("Serial %(serial)s is already counted (in %(location)s).", {
                        serial: lotName,
                        location: where?.name || "?",
                    })
                );
                return;
            }
            this.savePanel();
            const line = this.findLine(product, lotName);
            if (line) {
                this.persist(this.store.recordCount(this.task, line, 1));
                this.say("success", _t("Serial %(serial)s counted.", { serial: lotName }));
            } else {
                this.askFound(product, lotName, 1, true);
            }
            return;
        }
        this.openItem(product, lotName, qty);
    }

    findLine(product, lotName) {
        return this.locationLines.find(
            (line) =>
                line.product_id === product.id &&
                (line.lot?.name || null) === (lotName || null) &&
                (line.package?.id || null) === (this.state.packageId || null)
        );
    }

    openItem(product, lotName, qty) {
        const step = qty || 1;
        const line = this.findLine(product, lotName);
        const panel = this.state.panel;
        if (panel && line && panel.line.key === line.key) {
            panel.qty = String(this.number(panel.qty) + step);
            panel.fresh = true;
            this.say("success", _t("%(product)s: %(qty)s", { product: product.name, qty: panel.qty }));
            return;
        }
        this.savePanel();
        if (!line) {
            this.askFound(product, lotName, step, false);
            return;
        }
        this.state.panel = {
            line,
            qty: String((this.lineQty(line) || 0) + step),
            fresh: true,
        };
        this.say("success", _t("%(product)s: %(qty)s", { product: product.name, qty: this.state.panel.qty }));
    }

    askFound(product, lotName, qty, serial) {
        const lot = lotName ? _t(" (lot %(lot)s)", { lot: lotName }) : "";
        this.state.confirm = {
            kind: "found",
            product,
            lotName,
            qty,
            serial,
            text: _t("%(product)s%(lot)s is not listed in %(location)s. Add it as found here?", {
                product: product.name,
                lot,
                location: this.location.name,
            }),
        };
        this.say("warning", _t("Not listed in this location."));
    }

    confirmFound() {
        const { product, lotName, qty, serial } = this.state.confirm;
        this.state.confirm = null;
        const lot = lotName
            ? this.task.lots.find((l) => l.product_id === product.id && l.name === lotName)
            : null;
        const pack = this.state.packageId
            ? this.locationLines.find((line) => line.package?.id === this.state.packageId)?.package
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
        this.state.panel = { line, qty: String(qty), fresh: true };
        this.say("success", _t("%(product)s: %(qty)s", { product: product.name, qty: String(qty) }));
    }

    cancelConfirm() {
        this.state.confirm = null;
        this.state.message = null;
    }

    // ------------------------------------------------------------------
    // Picking and typing
    // ------------------------------------------------------------------
    pickLocation(location) {
        this.onLocation(location);
    }

    leaveLocation() {
        this.savePanel();
        this.state.locationId = null;
        this.state.packageId = null;
        this.state.awaitLot = null;
        this.state.message = null;
    }

    openLine(line) {
        if (this.isClosed) {
            return;
        }
        this.savePanel();
        const product = this.product(line);
        if (product.tracking === "serial") {
            this.state.panel = { line, qty: String(this.lineQty(line) ?? 1), fresh: true, serial: true };
        } else {
            this.state.panel = { line, qty: String(this.lineQty(line) ?? ""), fresh: true };
        }
        this.state.message = null;
    }

    number(text) {
        const value = parseFloat(text);
        return Number.isFinite(value) ? value : 0;
    }

    press(key) {
        const panel = this.state.panel;
        if (key === "back") {
            panel.qty = panel.fresh ? "" : panel.qty.slice(0, -1);
        } else if (key === ".") {
            panel.qty = panel.fresh ? "0." : panel.qty.includes(".") ? panel.qty : `${panel.qty || "0"}.`;
        } else {
            panel.qty = panel.fresh || panel.qty === "0" ? key : panel.qty + key;
        }
        panel.fresh = false;
    }

    /** Record what the panel holds; false (and a message) when it cannot. */
    savePanel() {
        const panel = this.state.panel;
        if (!panel) {
            return true;
        }
        if (panel.qty === "" || panel.qty === panel.savedQty) {
            // Nothing typed, or already recorded (with a photo) as it stands.
            this.state.panel = null;
            return true;
        }
        const qty = Number(panel.qty);
        const product = this.product(panel.line);
        if (!Number.isFinite(qty) || qty < 0) {
            this.say("danger", _t("%(qty)s is not a quantity.", { qty: panel.qty }));
            return false;
        }
        if (product.tracking === "serial" && ![0, 1].includes(qty)) {
            this.say("danger", _t("A serial number is counted 1 (there) or 0 (not there)."));
            return false;
        }
        this.state.panel = null;
        this.persist(this.store.recordCount(this.task, panel.line, qty));
        return true;
    }

    confirmPanel() {
        const panel = this.state.panel;
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
        this.state.panel = null;
    }

    countZero(line) {
        this.persist(this.store.recordCount(this.task, line, 0));
        this.say("success", _t("%(product)s confirmed as not there (0).", { product: this.product(line).name }));
    }

    askRestZero() {
        const rest = this.locationLines.filter((line) => !this.store.isLineCounted(line));
        this.state.confirm = {
            kind: "rest_zero",
            lines: rest,
            text: _t("Confirm the %(count)s items not counted in %(location)s as not there (0)?", {
                count: rest.length,
                location: this.location.name,
            }),
        };
    }

    confirmRestZero() {
        const lines = this.state.confirm.lines;
        this.state.confirm = null;
        this.savePanel();
        this.persist(
            (async () => {
                for (const line of lines) {
                    await this.store.recordCount(this.task, line, 0);
                }
            })()
        );
        this.say("success", _t("%(count)s items confirmed as not there (0).", { count: lines.length }));
    }

    async onPhoto(ev) {
        const file = ev.target.files?.[0];
        ev.target.value = "";
        const panel = this.state.panel;
        if (!file || !panel) {
            return;
        }
        let line = panel.line;
        if (this.panelIsNew) {
            // A found item: its count goes first, so that the photo has a line.
            if (panel.qty === "") {
                this.say("danger", _t("Type the quantity first, then take the photo."));
                return;
            }
            const qty = Number(panel.qty);
            if (!Number.isFinite(qty) || qty < 0) {
                this.say("danger", _t("%(qty)s is not a quantity.", { qty: panel.qty }));
                return;
            }
            line = await this.persist(this.store.recordCount(this.task, line, qty));
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

    askFinish() {
        this.savePanel();
        const { counted, total } = this.progress;
        if (counted < total) {
            this.say("danger", _t("%(count)s items are not counted yet: count them, or confirm them as 0.", {
                count: total - counted,
            }));
            return;
        }
        this.state.confirm = {
            kind: "finish",
            text: _t("Finish %(task)s? Counts cannot be changed afterwards.", { task: this.task.name }),
        };
    }

    async confirmFinish() {
        this.state.confirm = null;
        await this.persist(this.store.markCounted(this.task));
        this.props.onBack();
    }

    back() {
        this.savePanel();
        this.props.onBack();
    }
}
