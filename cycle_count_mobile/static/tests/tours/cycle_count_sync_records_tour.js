/** @odoo-module **/
import { registry } from "@web/core/registry";

// Two counts of the same line arrived from a device in the wrong order: the
// supervisor sees each once, which one the line kept, and filters the one it
// did not.
registry.category("web_tour.tours").add("cycle_count_sync_records_tour", {
    steps: () => [
        {
            content: "The later count (5) was applied",
            trigger: ".o_data_row:has(.o_data_cell[name=result]:contains('Applied')) .o_data_cell[name=quantity]:contains('5.00')",
        },
        {
            content: "The earlier count (3), arrived last, was superseded",
            trigger: ".o_data_row:has(.o_data_cell[name=result]:contains('Superseded by a later count')) .o_data_cell[name=quantity]:contains('3.00')",
        },
        {
            content: "Show the superseded counts only",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            trigger: ".o_filter_menu .dropdown-item:contains('Superseded')",
            run: "click",
        },
        {
            content: "One row left: the superseded count",
            trigger: ".o_list_table tbody:has(tr.o_data_row .o_data_cell[name=quantity]:contains('3.00')):not(:has(tr.o_data_row:nth-child(2)))",
        },
    ],
});
