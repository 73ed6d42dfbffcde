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
            run: "click",
        },
        {
            trigger:
                ".o_search_panel_category_value.active[data-name='Inventory Accuracy']",
        },
        {
            // Only a cell whose pivot value has loaded is clickable.
            trigger: ".o-dashboard-clickable-cell[style*='top:30px; left:0px;']",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row",
        },
        {
            trigger: ".o_breadcrumb .o_back_button, .o_breadcrumb li.breadcrumb-item",
        },
    ],
});
