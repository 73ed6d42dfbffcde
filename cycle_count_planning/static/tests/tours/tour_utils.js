/** @odoo-module **/

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
