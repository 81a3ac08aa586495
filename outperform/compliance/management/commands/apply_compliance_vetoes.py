from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outperform.compliance import services
from outperform.core.models import User
from outperform.cycles.models import Cycle


class Command(BaseCommand):
    help = "为周期内有重大合规问题的服务商考核单记录一票否决 / Record compliance vetoes for a cycle"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("cycle_id", type=int)
        parser.add_argument("--as", dest="username", required=True, help="执行人（绩效管理员）用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = Cycle.objects.get(pk=options["cycle_id"])
            actor = User.objects.get(username=options["username"])
        except (Cycle.DoesNotExist, User.DoesNotExist) as exc:
            raise CommandError(str(exc)) from None
        done = services.compliance_vetoes_apply(actor=actor, cycle=cycle)
        self.stdout.write(f"vetoed={len(done)}")
