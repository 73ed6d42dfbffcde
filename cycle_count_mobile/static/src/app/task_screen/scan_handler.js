/** @odoo-module **/

import { barcodeService } from "@barcodes/barcode_service";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";

/**
 * What a scan means while a task is open: the barcode is looked up on the device
 * (the session's ScanIndex) and becomes an action of the counting session: enter
 * a location or a package, count an item, ask for its lot or serial, or say why
 * the scan does not fit.
 */
export class ScanHandler {
    constructor(session) {
        this.session = session;
    }

    get store() {
        return this.session.store;
    }

    /** How far apart a scanner's keys come at most (Odoo's barcode service). */
    get maxKeyGapMs() {
        return barcodeService.maxTimeBetweenKeysInMs;
    }

    onScan(barcode) {
        const session = this.session;
        // From the scanner's Enter to the answer on the screen (see the task screen).
        session.cache.scanStartedAt = browser.performance.now();
        // A scanner's Enter ends the scan: the quantity panel must not take it as OK.
        session.cache.scanEndedWith = session.cache.enterEvent;
        if (session.absorbScan(barcode, this.maxKeyGapMs)) {
            // Digits typed fast on the PDA's keypad, not a scan.
            return;
        }
        if (session.isClosed) {
            session.say("warning", _t("This task is counted: nothing more to scan."));
            return;
        }
        session.confirm = null;
        const result = session.index.interpret(barcode);
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
                if (session.awaitLot && session.locationId) {
                    // Asked for a lot: a name the device does not know is a new lot.
                    return this.onTracked(session.awaitLot.product, barcode.trim(), session.awaitLot.qty, session.awaitLot.packaging);
                }
                session.say(
                    "danger",
                    _t("Unknown barcode %(barcode)s: not a location, product, lot or package of this task.", {
                        barcode,
                    })
                );
        }
    }

    onLocation(location) {
        const session = this.session;
        if (!session.index.isTaskLocation(location)) {
            session.say(
                "danger",
                _t("Wrong location: %(location)s is not part of this task.", {
                    location: location.name,
                })
            );
            return;
        }
        session.enterLocation(location);
    }

    onPackage(pack) {
        const session = this.session;
        if (!session.needLocation()) {
            return;
        }
        if (!session.locationLines.some((line) => line.package?.id === pack.id)) {
            session.say(
                "danger",
                _t("Package %(package)s is not listed in %(location)s.", {
                    package: pack.name,
                    location: session.location.name,
                })
            );
            return;
        }
        session.enterPackage(pack);
    }

    onLot(name, lots) {
        const session = this.session;
        if (!session.needLocation()) {
            return;
        }
        const waiting = session.awaitLot;
        if (waiting) {
            if (!lots.some((lot) => lot.product_id === waiting.product.id)) {
                const other = this.store.productOf(session.task, lots[0].product_id);
                session.say(
                    "danger",
                    _t("Lot %(lot)s is a lot of %(other)s, not of %(product)s.", {
                        lot: name,
                        other: other?.name || "?",
                        product: waiting.product.name,
                    })
                );
                return;
            }
            return this.onTracked(waiting.product, name, waiting.qty, waiting.packaging);
        }
        const productIds = [...new Set(lots.map((lot) => lot.product_id))];
        if (productIds.length !== 1) {
            session.say("warning", _t("Lot %(lot)s exists for several products: scan the product first.", { lot: name }));
            return;
        }
        const product = this.store.productOf(session.task, productIds[0]);
        if (!product) {
            session.say("danger", _t("Unknown barcode %(barcode)s: not a location, product, lot or package of this task.", { barcode: name }));
            return;
        }
        this.onTracked(product, name, null);
    }

    onItem({ product, qty, lotName, packaging }) {
        const session = this.session;
        if (!session.needLocation()) {
            return;
        }
        if (product.tracking !== "none") {
            if (lotName) {
                return this.onTracked(product, lotName, qty, packaging);
            }
            session.leavePanel();
            session.awaitLot = { product, qty, packaging };
            session.say(
                "info",
                product.tracking === "serial"
                    ? _t("Scan the serial number of %(product)s.", { product: product.name })
                    : _t("Scan the lot of %(product)s.", { product: product.name })
            );
            return;
        }
        session.openItem(product, null, qty, packaging);
    }

    /** A tracked product with its lot or serial: a serial is counted once, in one place. */
    onTracked(product, lotName, qty, packaging) {
        const session = this.session;
        session.awaitLot = null;
        if (product.tracking === "serial") {
            const counted = session.task.lines.find(
                (line) =>
                    line.product_id === product.id &&
                    line.lot?.name === lotName &&
                    this.store.lineQty(line) > 0
            );
            if (counted) {
                const where = session.task.locations.find((l) => l.id === counted.location_id);
                session.say(
                    "danger",
                    _t("Serial %(serial)s is already counted (in %(location)s).", {
                        serial: lotName,
                        location: where?.name || "?",
                    })
                );
                return;
            }
            session.countSerial(product, lotName);
            return;
        }
        session.openItem(product, lotName, qty, packaging);
    }
}
