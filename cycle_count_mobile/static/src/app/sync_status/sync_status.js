/** @odoo-module **/

import { Component, useState } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";

/** Online or not, what is still to send (tap: send now), what the server refused. */
export class SyncStatus extends Component {
    static template = "cycle_count_mobile.SyncStatus";
    static props = { onShowRefused: Function };

    setup() {
        this.store = useService("cycle_count_store");
        this.storeState = useState(this.store.state);
    }

    sync() {
        this.store.sync();
    }
}
