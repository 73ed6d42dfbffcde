/** @odoo-module **/

import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";

/**
 * The items of the chosen location: what is counted, sent, refused, found, with
 * photos; a tap opens the quantity, "0" says an item is not there.
 */
export class LineList extends Component {
    static template = "cycle_count_mobile.LineList";
    static props = { session: Object };

    get session() {
        return this.props.session;
    }

    get store() {
        return this.session.store;
    }

    get awaitLotText() {
        const product = this.session.awaitLot.product;
        return product.tracking === "serial"
            ? _t("Scan the serial number of %(product)s, or pick its line below.", {
                  product: product.name,
              })
            : _t("Scan the lot of %(product)s, or pick its line below.", {
                  product: product.name,
              });
    }

    displayQty(line) {
        const qty = this.session.lineQty(line);
        return qty === null || qty === undefined ? "—" : qty;
    }

    photoCount(line) {
        return line.photo_count + (line.local_photos || 0);
    }
}
