/** @odoo-module **/

import { Component } from "@odoo/owl";

/** The task's locations with their progress, when none is chosen; and finishing. */
export class LocationList extends Component {
    static template = "cycle_count_mobile.LocationList";
    static props = { session: Object };

    get session() {
        return this.props.session;
    }

    /** Picked from the list: the same as scanning its barcode. */
    pickLocation(location) {
        this.session.enterLocation(location);
    }
}
