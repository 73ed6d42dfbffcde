/** @odoo-module **/

import { Component, useExternalListener } from "@odoo/owl";
import { barcodeService } from "@barcodes/barcode_service";
import { _t } from "@web/core/l10n/translation";

const KEYS = ["7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "back"];

function isEditable(element) {
    // Odoo's barcode service types into its own hidden input on mobile Chrome:
    // that one is the keyboard, not a field.
    return (
        element?.matches?.("input, textarea, select, [contenteditable='true']") &&
        !element.classList.contains("o-barcode-input")
    );
}

/**
 * The quantity being entered for one item: a keypad sized for a glove (and the
 * PDA's own keys: digits, decimal point, Backspace, Enter), its unit and the
 * packagings scanned, a photo, what the counter saw, OK or Cancel. A scan of the
 * same item adds to it (the session does that).
 */
export class QuantityPanel extends Component {
    static template = "cycle_count_mobile.QuantityPanel";
    static props = { session: Object };

    setup() {
        this.keys = KEYS;
        // Capture: an Enter is noted before Odoo's barcode service (on the body)
        // turns the keys before it into a scan.
        useExternalListener(window, "keydown", (ev) => this.onKeydownCapture(ev), { capture: true });
        useExternalListener(window, "keydown", (ev) => this.onKeydown(ev));
    }

    get session() {
        return this.props.session;
    }

    get panel() {
        return this.session.panel;
    }

    get product() {
        return this.session.product(this.panel.line);
    }

    get hints() {
        return this.session.store.rules.countHints;
    }

    get maxNoteLength() {
        return this.session.store.rules.maxNoteLength;
    }

    get packagingText() {
        const { name, qty, count } = this.panel.packaging;
        return _t("%(count)s × %(packaging)s (%(qty)s %(uom)s each)", {
            count,
            packaging: name,
            qty,
            uom: this.product.uom || "",
        });
    }

    press(key) {
        this.session.pressKey(key);
    }

    onKeydownCapture(ev) {
        this.session.cache.enterEvent = ev.key === "Enter" ? ev : null;
    }

    /** The PDA's keys: the same as the keypad's, Enter is OK. */
    onKeydown(ev) {
        const session = this.session;
        const cache = session.cache;
        // This Enter ended a scan (the barcode service took it): not an OK.
        const endedScan = ev.key === "Enter" && cache.scanEndedWith === ev;
        cache.enterEvent = cache.scanEndedWith = null;
        if (!this.panel || ev.ctrlKey || ev.metaKey || ev.altKey || isEditable(ev.target)) {
            return;
        }
        if (ev.key === "Enter") {
            if (!endedScan && !ev.defaultPrevented) {
                ev.preventDefault();
                session.confirmPanel();
            }
            return;
        }
        if (ev.key === "Backspace") {
            // Not part of a barcode for the barcode service either: the burst goes on.
            ev.preventDefault();
            session.pressKey("back");
            return;
        }
        if (ev.key === "Escape") {
            session.closePanel();
            return;
        }
        const key = ev.key === "," ? "." : ev.key;
        if (/^[0-9.]$/.test(key)) {
            session.typeKey(key, barcodeService.maxTimeBetweenKeysInMs, ev.key);
        }
    }

    toggleNote() {
        this.panel.showNote = !this.panel.showNote;
    }

    setHint(value) {
        this.panel.hint = this.panel.hint === value ? null : value;
    }

    hintLabel(value) {
        return this.session.store.rules.hintLabel(value);
    }

    onPhoto(ev) {
        const file = ev.target.files?.[0];
        ev.target.value = "";
        return this.session.addPhoto(file);
    }
}
