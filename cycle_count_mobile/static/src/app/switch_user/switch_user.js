/** @odoo-module **/

import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";

/**
 * Switching user on a shared device: who is logged in, what of theirs is not
 * sent yet (it stays on the device for them, sent under their own login when
 * they log in again), and the log out. Logging out needs the network: the
 * server ends the session and the next counter logs in.
 */
export class SwitchUser extends Component {
    static template = "cycle_count_mobile.SwitchUser";
    static props = {};

    setup() {
        this.store = useService("cycle_count_store");
        this.storeState = useState(this.store.state);
    }

    get userName() {
        return this.store.config.user.name;
    }

    get unsentText() {
        return _t(
            "%(count)s not sent yet (counts, photos, finished tasks). They stay on this device for %(user)s only, and are sent under %(user)s's login the next time %(user)s opens the app here. Nobody else sees them.",
            { count: this.storeState.queue.length, user: this.userName }
        );
    }

    sync() {
        this.store.sync();
    }

    logOut() {
        this.store.logOut();
    }
}
