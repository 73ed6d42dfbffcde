/** @odoo-module **/

/**
 * How long a step may wait for its trigger. Every step waits for a condition
 * that holds only once the server answered (a saved form, a row the server
 * wrote, a computed figure), never for a fixed time: the tour goes on as soon
 * as it holds. On a loaded machine (CI with both cores busy) the server may
 * take longer than web_tour's default of 10 s to answer; this is the ceiling
 * (the longest web_tour accepts), not a delay.
 */
export const SERVER_ANSWER_TIMEOUT = 60000;

/** The steps, each waiting up to SERVER_ANSWER_TIMEOUT for its trigger (a step
 * that names its own timeout keeps it). */
export function patient(steps) {
    return steps.map((step) => ({ timeout: SERVER_ANSWER_TIMEOUT, ...step }));
}

/** Steps that open a menu item of the Cycle Count app from the top bar, by the
 * xml ids of its section and of the item (in cycle_count_planning). */
export function openMenu(section, item) {
    return [
        {
            content: `Open the ${section} menu`,
            trigger: `.o_main_navbar button[data-menu-xmlid='cycle_count_planning.${section}']`,
            run: "click",
        },
        {
            content: `Choose ${item}`,
            trigger: `.dropdown-menu [data-menu-xmlid='cycle_count_planning.${item}']`,
            run: "click",
        },
    ];
}
