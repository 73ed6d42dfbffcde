/** @odoo-module **/
import { registry } from "@web/core/registry";

// On a desktop: the cycle count manager adds a tolerance in the editable list.
registry.category("web_tour.tours").add("cycle_count_tolerance_tour", {
    steps: () => [
        {
            content: "The Tolerances list, with its help while empty",
            trigger: ".o_list_view .o_view_nocontent:contains('every difference goes to approval')",
            // The first screen of the run: under load, more than a step's default.
            timeout: 30000,
        },
        {
            content: "Add a rule",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_data_row.o_selected_row .o_field_widget[name=name] input",
            run: "edit Fasteners 2 %",
        },
        {
            content: "Losses up to 2 %",
            trigger: ".o_data_row.o_selected_row .o_field_widget[name=loss_pct] input",
            run: "edit 2",
        },
        {
            content: "Gains up to 3 units",
            trigger: ".o_data_row.o_selected_row .o_field_widget[name=gain_qty] input",
            run: "edit 3",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "The rule is listed, a tolerance of the company",
            trigger: ".o_data_row:not(.o_selected_row) .o_data_cell[name=name]:contains('Fasteners 2 %')",
        },
        {
            trigger: ".o_data_row:not(.o_selected_row) .o_data_cell[name=kind]:contains('Tolerance')",
        },
    ],
});

// On a desktop: the supervisor reads every count of a recounted item, in order,
// and picks the count the variance reports (the tie-break leaves it to them).
registry.category("web_tour.tours").add("cycle_count_count_history_tour", {
    steps: () => [
        {
            content: "The report flags the variance for the supervisor",
            trigger: ".o_field_one2many[name=line_ids] .o_data_row .o_data_cell[name=recount_count]:contains('1')",
            timeout: 30000,
        },
        {
            content: "Open the Counts tab",
            trigger: ".o_notebook .nav-link:contains('Counts')",
            run: "click",
        },
        {
            content: "First the first count, then the recount, which is final",
            trigger: ".o_field_one2many[name=count_history_ids] .o_data_row:eq(0) .o_data_cell[name=label]:contains('First count')",
        },
        {
            trigger: ".o_field_one2many[name=count_history_ids] .o_data_row:eq(1) .o_data_cell[name=label]:contains('Recount 1 (final)')",
        },
        {
            content: "Use the first count",
            trigger: ".o_field_one2many[name=count_history_ids] .o_data_row:eq(0) button[name=action_use_this_count]",
            run: "click",
        },
        {
            content: "The first count is now the final one",
            trigger: ".o_field_one2many[name=count_history_ids] .o_data_row:eq(0) .o_data_cell[name=label]:contains('First count (final)')",
        },
    ],
});
