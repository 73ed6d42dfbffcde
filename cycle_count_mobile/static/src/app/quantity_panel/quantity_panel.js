/** @odoo-module **/

import { Component } from "@odoo/owl";

const KEYS = ["7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "back"];

/**
 * The quantity being entered for one item: a keypad sized for a glove, a photo,
 * OK or Cancel. A scan of the same item adds to it (the session does that).
 */
export class QuantityPanel extends Component {
    static template = "cycle_count_mobile.QuantityPanel";
    static props = { session: Object };

    setup() {
        this.keys = KEYS;
    }

    get session() {
        return this.props.session;
    }

    get panel() {
        return this.session.panel;
    }

    /** The first key after opening or scanning replaces the quantity shown. */
    press(key) {
        const panel = this.panel;
        if (key === "back") {
            panel.qty = panel.fresh ? "" : panel.qty.slice(0, -1);
        } else if (key === ".") {
            panel.qty = panel.fresh ? "0." : panel.qty.includes(".") ? panel.qty : `${panel.qty || "0"}.`;
        } else {
            panel.qty = panel.fresh || panel.qty === "0" ? key : panel.qty + key;
        }
        panel.fresh = false;
    }

    onPhoto(ev) {
        const file = ev.target.files?.[0];
        ev.target.value = "";
        return this.session.addPhoto(file);
    }
}
