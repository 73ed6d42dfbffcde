/** @odoo-module **/
import { registry } from "@web/core/registry";

// A supervisor opens the accuracy report: the graph by warehouse, then the list
// grouped by warehouse and task with the figures, then the pivot.
registry.category("web_tour.tours").add("cycle_count_accuracy_tour", {
    steps: () => [
        {
            content: "The accuracy graph is drawn",
            trigger: ".o_graph_renderer canvas",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Grouped by warehouse",
            trigger: ".o_group_header:contains('Cycle Count Test')",
            run: "click",
        },
        {
            content: "Then by task, with its accuracy",
            trigger: ".o_group_header:contains('CC/') td:contains('50.0')",
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The warehouse's accuracy is the ratio of its lines, not an average",
            trigger: ".o_pivot tr:has(th:contains('Cycle Count Test')) td:contains('50.0')",
        },
    ],
});
