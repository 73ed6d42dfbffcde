/** @odoo-module **/

import { Component } from "@odoo/owl";

/** The question waiting for an answer: add a found item, confirm a zero or the rest as zeros, finish. */
export class ConfirmCard extends Component {
    static template = "cycle_count_mobile.ConfirmCard";
    static props = { session: Object };
}
