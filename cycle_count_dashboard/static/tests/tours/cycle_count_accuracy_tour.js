/** @odoo-module **/
import { registry } from "@web/core/registry";

// A supervisor opens the accuracy report: the IRA trend by month, the pivot of
// warehouses by month (a ratio of the warehouse's lines, not a sum of rows), the
// list, grouped by counter from the search options; then the plan adherence and counter productivity reports from the
// Reporting menu, each in its graph and pivot.
registry.category("web_tour.tours").add("cycle_count_accuracy_tour", {
    steps: () => [
        {
            content: "The IRA trend is drawn",
            trigger: ".o_graph_renderer canvas",
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The warehouse's IRA is the ratio of its lines",
            trigger: ".o_pivot tr:has(th:contains('Cycle Count Test')) td:contains('50.0')",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The list shows the counted lines",
            trigger: ".o_list_view .o_data_row:contains('Apple Juice')",
        },
        {
            content: "Open the search options",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Group by counter",
            trigger: ".o_group_by_menu .o_menu_item:contains('Counter')",
            run: "click",
        },
        {
            content: "The lines are grouped by their counter",
            trigger: ".o_list_view .o_group_header:contains('Carl Counter')",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".o_menu_sections button[data-menu-xmlid='cycle_count_planning.cycle_count_menu_reporting']",
            run: "click",
        },
        {
            content: "Open the plan adherence",
            trigger: ".dropdown-item[data-menu-xmlid='cycle_count_dashboard.cycle_count_plan_report_menu']",
            run: "click",
        },
        {
            content: "The adherence trend is drawn",
            trigger: ".o_action:has(.o_breadcrumb:contains('Plan Adherence')) .o_graph_renderer canvas",
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot has the warehouse's row",
            trigger: ".o_pivot th:contains('Cycle Count Test')",
        },
        {
            content: "Open the Reporting menu again",
            trigger: ".o_menu_sections button[data-menu-xmlid='cycle_count_planning.cycle_count_menu_reporting']",
            run: "click",
        },
        {
            content: "Open the counter productivity",
            trigger: ".dropdown-item[data-menu-xmlid='cycle_count_dashboard.cycle_count_productivity_report_menu']",
            run: "click",
        },
        {
            content: "Lines per hour by counter are drawn",
            trigger: ".o_action:has(.o_breadcrumb:contains('Counter Productivity')) .o_graph_renderer canvas",
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The counter's row has their lines per hour",
            trigger: ".o_pivot th:contains('Carl Counter')",
        },
    ],
});
