/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";
import { NetworkError, apiCall } from "@cycle_count_mobile/app/api";

/**
 * A supervisor's approvals, online only: the variance reports waiting for my
 * decision, a report's variances with their values, Approve or Reject (with the
 * comment the counter reads). The server decides who may: its refusal is shown.
 */
export class ApprovalsScreen extends Component {
    static template = "cycle_count_mobile_approval.ApprovalsScreen";
    static props = {};

    setup() {
        this.store = useService("cycle_count_store");
        this.storeState = useState(this.store.state);
        this.state = useState({
            loading: true,
            reports: [],
            report: null,
            rejecting: false,
            comment: "",
            busy: false,
            error: null,
            notice: null,
        });
        onWillStart(() => this.loadList());
    }

    async call(path, options = {}) {
        const config = this.store.config;
        try {
            return await apiCall(config.api, path, { ...options, user: config.user.id });
        } catch (error) {
            if (error instanceof NetworkError) {
                return { status: 0, data: null };
            }
            throw error;
        }
    }

    errorOf(answer) {
        if (!answer.status) {
            return _t("No connection: approvals need the network. Try again when online.");
        }
        return answer.data?.error?.message || _t("The server refused this request.");
    }

    async loadList() {
        this.state.loading = true;
        const answer = await this.call("/approvals");
        this.state.loading = false;
        if (answer.status === 200) {
            this.state.reports = answer.data.reports;
            this.state.error = null;
        } else {
            this.state.error = this.errorOf(answer);
        }
    }

    async open(report) {
        this.state.busy = true;
        const answer = await this.call(`/approvals/${report.id}`);
        this.state.busy = false;
        if (answer.status === 200) {
            this.state.report = answer.data;
            this.state.error = null;
            this.state.notice = null;
            this.state.rejecting = false;
            this.state.comment = "";
        } else {
            this.state.error = this.errorOf(answer);
        }
    }

    backToList() {
        this.state.report = null;
        this.state.rejecting = false;
        this.state.error = null;
        return this.loadList();
    }

    startReject() {
        this.state.rejecting = true;
        this.state.comment = "";
        this.state.error = null;
    }

    cancelReject() {
        this.state.rejecting = false;
    }

    async decide(action) {
        const report = this.state.report;
        const body = action === "reject" ? { comment: this.state.comment } : {};
        this.state.busy = true;
        const answer = await this.call(`/approvals/${report.id}/${action}`, {
            method: "POST",
            body,
        });
        this.state.busy = false;
        if (answer.status !== 200) {
            this.state.error = this.errorOf(answer);
            return;
        }
        this.state.notice =
            action === "reject"
                ? _t("%(report)s rejected: the task went back to its counter.", {
                      report: report.name,
                  })
                : _t("%(report)s approved.", { report: report.name });
        this.state.report = null;
        this.state.rejecting = false;
        await this.loadList();
    }

    formatNumber(value) {
        return new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 }).format(value);
    }

    formatMoney(value, currency) {
        try {
            return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value);
        } catch {
            return this.formatNumber(value);
        }
    }
}
