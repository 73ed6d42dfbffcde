/** @odoo-module **/
import { registry } from "@web/core/registry";
import { openMenu, patient } from "@cycle_count_planning/../tests/tours/tour_utils";

// The supervisor follows the tasks: All Tasks in a list, a kanban by state and a
// calendar by date.
registry.category("web_tour.tours").add("cycle_count_backend_tasks_tour", {
    steps: () =>
        patient([
            {
                content: "All Tasks: the default filter keeps every task not finished",
                trigger: ".o_searchview_facet:contains('Not Finished')",
            },
            {
                content: "The planned task is listed",
                trigger: ".o_list_view .o_data_row:contains('Cycle Count Test')",
            },
            {
                content: "Plan Counts Now is not offered to a supervisor",
                trigger: "body:not(:has([data-menu-xmlid='cycle_count_planning.cycle_count_plan_menu']))",
            },
            {
                content: "Switch to the kanban",
                trigger: ".o_switch_view.o_kanban",
                run: "click",
            },
            {
                content: "Grouped by state: the To Do column holds the task",
                trigger: ".o_kanban_group:has(.o_column_title:contains('To Do')) .o_kanban_record:contains('Cycle Count Test')",
            },
            {
                content: "Its progress and lines on the card",
                trigger: ".o_kanban_record:contains('Cycle Count Test'):contains('lines') .o_progressbar",
            },
            {
                content: "Switch to the calendar",
                trigger: ".o_switch_view.o_calendar",
                run: "click",
            },
            {
                content: "The task on its day",
                trigger: ".o_calendar_view .fc-event",
            },
        ]),
});

// The supervisor, also an inventory user, requests a cycle count of a quant
// from Odoo's Physical Inventory.
registry.category("web_tour.tours").add("cycle_count_backend_quant_tour", {
    steps: () =>
        patient([
            {
                content: "Physical Inventory shows the counting columns",
                trigger: ".o_list_view th[data-name=cycle_count_next_date]",
            },
            {
                content: "Odoo opens a stock user's own counts: show every quant",
                trigger: ".o_searchview_facet:contains('My Counts') .o_facet_remove",
                run: "click",
            },
            {
                content: "Select the Chip Set quant",
                trigger: ".o_data_row:contains('Chip Set') .o_list_record_selector input",
                run: "click",
            },
            {
                content: "Request Cycle Count",
                trigger: ".o_control_panel button[name=action_cycle_count_request]",
                run: "click",
            },
            {
                content: "Planned for today, said so",
                trigger: ".o_notification:contains('to count today')",
            },
            {
                content: "The quant shows its next count",
                trigger: ".o_data_row:contains('Chip Set') td[name=cycle_count_next_date]:not(:empty)",
            },
        ]),
});

// The director checks the go-live readiness and opens a check's records.
registry.category("web_tour.tours").add("cycle_count_backend_readiness_tour", {
    steps: () =>
        patient([
            ...openMenu("cycle_count_menu_config", "cycle_count_readiness_menu"),
            {
                content: "A bin without a barcode is found",
                trigger: ".o_data_row:contains('Bins without a barcode') td[name=record_count]:not(:contains('0'))",
            },
            {
                content: "A check that holds shows Ready",
                trigger: ".o_data_row:contains('Products sharing an internal reference') .badge:contains('Ready')",
            },
            {
                content: "Fix the bins",
                trigger: ".o_data_row:contains('Bins without a barcode') button[name=action_open_records]",
                run: "click",
            },
            {
                content: "The bins to fix",
                trigger: ".o_list_view .o_data_row:contains('A-01')",
            },
        ]),
});
