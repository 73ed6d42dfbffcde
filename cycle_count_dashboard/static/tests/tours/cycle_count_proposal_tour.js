/** @odoo-module **/
import { registry } from "@web/core/registry";

const patient = (steps) => steps.map((step) => ({ timeout: 60000, ...step }));

// The operations director analyses the accuracy history, opens the proposal to
// count a category after its receipts, reads the figures, accepts it and finds
// the trigger it switched on; the kanban shows it accepted.
registry.category("web_tour.tours").add("cycle_count_proposal_tour", {
    steps: () =>
        patient([
            {
                content: "Analyse now",
                trigger: ".o_cycle_count_analyse",
                run: "click",
            },
            {
                content: "The proposal appears",
                trigger: ".o_data_row:contains('Count Juices right after receipts')",
            },
            {
                content: "Open it",
                trigger: ".o_data_row .o_data_cell[name=name]:contains('Juices')",
                run: "click",
            },
            {
                content: "It says which figures led to it",
                trigger: ".o_cycle_count_proposal_summary:contains('were receiving errors')",
            },
            {
                content: "Accept",
                trigger: ".o_form_statusbar button[name=action_accept]",
                run: "click",
            },
            {
                content: "Accepted, with the trigger it switched on",
                trigger: ".o_field_widget[name=trigger_id]:contains('Receipt')",
            },
            {
                trigger: ".o_statusbar_status .o_arrow_button_current:contains('Accepted')",
            },
            {
                content: "Back to the proposals",
                trigger: ".breadcrumb-item a",
                run: "click",
            },
            {
                content: "The kanban",
                trigger: ".o_switch_view.o_kanban",
                run: "click",
            },
            {
                content: "The proposal is in the accepted column",
                trigger: ".o_kanban_group:contains('Accepted') .o_kanban_record:contains('Juices')",
            },
        ]),
});
