/** @odoo-module **/
import { registry } from "@web/core/registry";

// A supervisor opens what waits for their approval, reads the variances and
// approves them; the report is applied to stock.
registry.category("web_tour.tours").add("cycle_count_approval_tour", {
    steps: () => [
        {
            content: "The report waiting for me",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=name]:contains('CCA/')",
            run: "click",
        },
        {
            content: "It says whose turn it is",
            trigger: ".alert-warning:contains('Waiting for approval by'):contains('Warehouse supervisor')",
        },
        {
            content: "The variance is shown with book and counted quantities",
            trigger: ".o_field_one2many[name=line_ids] .o_data_row .o_data_cell[name=book_qty]:contains('10.00')",
        },
        {
            trigger: ".o_field_one2many[name=line_ids] .o_data_row .o_data_cell[name=counted_qty]:contains('9.00')",
        },
        {
            content: "Approve",
            trigger: "button[name=validate_tier]",
            run: "click",
        },
        {
            content: "Applied to stock",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Applied to Stock')",
        },
        {
            content: "The approval trail records the decision",
            trigger: ".o_notebook_headers a:contains('Approvals')",
            run: "click",
        },
        {
            trigger: ".o_field_one2many[name=review_ids] .o_data_row .o_data_cell[name=done_by]:contains('Sam Supervisor')",
        },
    ],
});
