/** @odoo-module **/
import { registry } from "@web/core/registry";

// A supervisor rejects a variance report: Reject asks why, refuses without an
// answer, and the task goes back to its counter with the comment.
registry.category("web_tour.tours").add("cycle_count_approval_reject_tour", {
    steps: () => [
        {
            content: "The report waiting for me",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=name]:contains('CCA/')",
            run: "click",
        },
        { content: "Reject", trigger: "button[name=reject_tier]", run: "click" },
        {
            content: "Reject asks why, and says the counter reads it",
            trigger: ".modal:contains('your comment is what they read in the counting app')",
        },
        {
            content: "Reject without a comment",
            trigger: ".modal footer button[name=add_comment]",
            run: "click",
        },
        {
            content: "Refused: the comment is required",
            trigger: ".modal .o_field_widget[name=comment].o_field_invalid",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=comment] input",
            run: "edit The apples are behind the boxes",
        },
        { trigger: ".modal footer button[name=add_comment]", run: "click" },
        {
            content: "Rejected: back to the counter for a recount",
            trigger: ".alert-danger:contains('Rejected: the task went back to its counter')",
        },
        { content: "Open the task", trigger: "button[name=action_open_task]", run: "click" },
        {
            content: "The task shows the recount and its reason",
            trigger: ".o_field_widget[name=recount_reason]:contains('The apples are behind the boxes')",
        },
    ],
});
