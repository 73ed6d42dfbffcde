# Run by scripts/demo.sh with `odoo shell`, twice, on a new demo database: the demo
# company is Chinese, and what decides its accounting must be set before there is
# any. `env` is the shell's environment (superuser).
#   before accounting (only base installed): the company's country is China, so
#     that account's demo loads no US chart for it and l10n_cn is its chart;
#   after `-i l10n_cn` (the Chinese chart loaded, the company in CNY): the stock
#     accounts of real-time valuation, which Odoo's Chinese chart does not name
#     (cycle_count_accounting's demo values its categories in real time).
# Its name, address and users' languages are cycle_count_demo's demo data.
# ruff: noqa: F821
company = env.ref("base.main_company")
if "account.chart.template" not in env:
    company.country_id = env.ref("base.cn")
    env.cr.commit()
    print("demo company: in China, before accounting")
else:
    chart = env["account.chart.template"].with_company(company)
    if company.chart_template != "cn" or company.currency_id != env.ref("base.CNY"):
        raise SystemExit(
            f"demo company: chart {company.chart_template} in "
            f"{company.currency_id.name}, not the Chinese chart in CNY"
        )
    # 库存商品 (merchandise inventory), 在途物资 (goods received, not invoiced),
    # 主营业务成本 (cost of goods sold): the Chinese chart's own accounts.
    for field, xmlid in (
        ("property_stock_valuation_account_id", "l10n_cn_common_140500"),
        ("property_stock_account_input_categ_id", "l10n_cn_common_140200"),
        ("property_stock_account_output_categ_id", "l10n_cn_common_640100"),
    ):
        env["ir.default"].set(
            "product.category", field, chart.ref(xmlid).id, company_id=company.id
        )
    env.cr.commit()
    print("demo company: Chinese chart in CNY, stock accounts set")
