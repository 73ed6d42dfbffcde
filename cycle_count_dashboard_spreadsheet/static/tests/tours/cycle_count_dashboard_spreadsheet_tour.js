/** @odoo-module */

import {registry} from "@web/core/registry";

// The shipped dashboard opens in the Dashboards app, its figures load, and a
// figure (A2, the lines counted in the period: the first cell of the sheet
// that opens records) drills down to the lines behind it.
registry.category("web_tour.tours").add("cycle_count_dashboard_spreadsheet_tour", {
    url: "/odoo/dashboards",
    steps: () => [
        {
            trigger: ".o_search_panel_category_value[data-name='Inventory Accuracy']",
            // The first load of the dashboard's bundle can be slow on a busy machine.
            timeout: 60000,
            run: "click",
        },
        {
            trigger:
                ".o_search_panel_category_value.active[data-name='Inventory Accuracy']",
        },
        {
            // Only a cell whose pivot value has loaded is clickable.
            trigger: ".o-dashboard-clickable-cell[style*='top:40px; left:0px;']",
            timeout: 60000,
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row",
            timeout: 60000,
        },
        {
            trigger: ".o_breadcrumb .o_back_button, .o_breadcrumb li.breadcrumb-item",
        },
    ],
});
