/** @odoo-module **/
import { registry } from "@web/core/registry";

// Configuration ‣ Approval Policy on a desktop: the flow (value bands →
// reviewers in order) and the simulator, live as the figures are typed in.
registry.category("web_tour.tours").add("cycle_count_approval_policy_tour", {
    steps: () => [
        {
            content: "Below 500: the warehouse supervisor",
            trigger: ".o_cc_policy_flow .o_cc_policy_band:contains('0.01 – 499.99'):contains('Warehouse supervisor'):not(:contains('Finance manager'))",
        },
        {
            content: "500 to 5 000: supervisor then finance",
            trigger: ".o_cc_policy_flow .o_cc_policy_band:contains('500.00 – 5,000.00'):contains('Finance manager'):not(:contains('Operations director'))",
        },
        {
            content: "Above 5 000: also the operations director",
            trigger: ".o_cc_policy_flow .o_cc_policy_band:contains('from 5,000.01'):contains('Operations director')",
        },
        {
            content: "Every tier with its conditions, the warehouse tier among them",
            trigger: ".o_cc_policy_tiers .o_cc_policy_tier_row:contains('Second warehouse desk'):contains('warehouses: Second')",
        },
        {
            content: "Simulate a loss of 700",
            trigger: ".o_field_widget[name=simulate_value] input",
            run: "edit 700 && click .o_form_sheet h1",
        },
        {
            content: "Supervisor, then finance",
            trigger: ".o_field_widget[name=simulation_html] .o_cc_policy_result:has(li:nth-child(2):contains('Finance manager')):not(:has(li:nth-child(3)))",
        },
        {
            content: "In the second warehouse",
            trigger: ".o_field_widget[name=simulate_warehouse_id] input",
            run: "edit Second",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Second')",
            run: "click",
        },
        {
            content: "The second warehouse's tier applies too",
            trigger: ".o_field_widget[name=simulation_html] .o_cc_policy_result:has(li:contains('Second warehouse desk')):has(li:contains('Finance manager'))",
        },
        {
            content: "Simulate 6 000",
            trigger: ".o_field_widget[name=simulate_value] input",
            run: "edit 6000 && click .o_form_sheet h1",
        },
        {
            content: "The operations director joins",
            trigger: ".o_field_widget[name=simulation_html] .o_cc_policy_result:has(li:contains('Operations director')):has(li:contains('Second warehouse desk'))",
        },
        {
            content: "Keep the simulation (a screen of its own, nothing else is written)",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved .o_field_widget[name=simulation_html] li:contains('Operations director')",
        },
    ],
});
