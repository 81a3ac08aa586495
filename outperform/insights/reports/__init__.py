"""Reports (报告): individual, department, vendor scorecard and cycle summary, as PDF (WeasyPrint,
Noto CJK fonts embedded) and .xlsx result tables. `data` reads (scoped), `pdf` renders."""
