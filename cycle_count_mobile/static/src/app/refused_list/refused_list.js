/** @odoo-module **/

import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";

/** What the server refused, with its reason, until the counter dismisses it. */
export class RefusedList extends Component {
    static template = "cycle_count_mobile.RefusedList";
    static props = {};

    setup() {
        this.store = useService("cycle_count_store");
        this.storeState = useState(this.store.state);
    }

    dismiss(item) {
        this.store.dismissRefused(item);
    }

    kindLabel(item) {
        return {
            count: _t("Count"),
            photo: _t("Photo"),
            counted: _t("Task finished"),
        }[item.kind];
    }

    formatTime(iso) {
        return iso ? new Date(iso).toLocaleString() : "";
    }

    refusedWhen(item) {
        return _t("Counted %(counted)s, refused %(refused)s", {
            counted: this.formatTime(item.created_at),
            refused: this.formatTime(item.refused_at),
        });
    }
}
