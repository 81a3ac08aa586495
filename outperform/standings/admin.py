from django.contrib import admin

from .models import Settlement, SettlementRule, StandingBand, StandingPolicy, VendorStanding

admin.site.register(StandingBand)
admin.site.register(StandingPolicy)


@admin.register(VendorStanding)
class VendorStandingAdmin(admin.ModelAdmin):
    list_display = ("vendor", "period_label", "score", "code", "is_current", "created_at")
    list_filter = ("code", "is_current")


@admin.register(SettlementRule)
class SettlementRuleAdmin(admin.ModelAdmin):
    list_display = ("contract", "period_fee_fen", "breach_deduction_fen", "breach_cap_fen")


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin):
    list_display = ("contract", "period_label", "fee_fen", "final_fen", "state")
    list_filter = ("state",)
