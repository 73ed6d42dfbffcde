def post_init_hook(env):
    """Every existing company gets its ABC profile and its event triggers (off)."""
    companies = env["res.company"].search([])
    env["cycle.count.abc.profile"]._create_company_defaults(companies)
    env["cycle.count.trigger"]._create_company_defaults(companies)
