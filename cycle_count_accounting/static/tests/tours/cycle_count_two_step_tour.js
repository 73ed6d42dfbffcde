/** @odoo-module **/
import { registry } from "@web/core/registry";

// The finance manager of a company on the Chinese chart turns on two-step
// posting (the suspense account comes from the chart, 190100), then opens the
// suspense ageing report: the list, then the pivot by age.
registry.category("web_tour.tours").add("cycle_count_two_step_tour", {
    steps: () => [
        {
            content: "Open the variance reports menu",
            trigger: ".o_main_navbar button[data-menu-xmlid='cycle_count_approval.cycle_count_menu_approval']",
            run: "click",
        },
        {
            content: "Gain and Loss Accounts",
            trigger: ".dropdown-menu [data-menu-xmlid='cycle_count_accounting.cycle_count_account_settings_menu']",
            run: "click",
        },
        {
            content: "Turn on two-step posting",
            trigger: ".modal .o_field_widget[name=cycle_count_two_step] input",
            run: "click",
        },
        {
            content: "The suspense account is the chart's 190100",
            trigger: ".modal .o_field_widget[name=cycle_count_suspense_account_id] input:value(/190100/)",
        },
        {
            trigger: ".modal .o_field_widget[name=cycle_count_vat_out_rate] input",
            run: "edit 9",
        },
        {
            content: "Save",
            trigger: ".modal button[name=action_save]",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('Accounts saved')",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Open the variance reports menu again",
            trigger: ".o_main_navbar button[data-menu-xmlid='cycle_count_approval.cycle_count_menu_approval']",
            run: "click",
        },
        {
            content: "Suspense Ageing",
            trigger: ".dropdown-menu [data-menu-xmlid='cycle_count_accounting.cycle_count_suspense_report_menu']",
            run: "click",
        },
        {
            content: "The confirmed report waits in suspense, 0-7 days old",
            trigger: ".o_list_view .o_data_row:contains('0-7 days'):contains('500.00')",
        },
        {
            content: "The pivot view",
            trigger: ".o_control_panel .o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "Amounts by age",
            trigger: ".o_pivot th:contains('0-7 days')",
        },
    ],
});
