/** @odoo-module **/

import { patch } from "@web/core/utils/patch";
import { CycleCountApp } from "@cycle_count_mobile/app/cycle_count_app/cycle_count_app";
import { ApprovalsScreen } from "./approvals_screen";

CycleCountApp.components = { ...CycleCountApp.components, ApprovalsScreen };

patch(CycleCountApp.prototype, {
    /** Reviewers only, and online: approvals are decided on the server. */
    get showApprovalsButton() {
        return Boolean(this.store.config.approvals) && this.storeState.online;
    },

    showApprovals() {
        this.state.screen = "approvals";
        this.state.taskId = null;
        this.state.choice = null;
    },
});
