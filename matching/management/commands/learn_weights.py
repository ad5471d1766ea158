from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from matching.engine.config import FEATURES
from matching.services import weights_learn


class Command(BaseCommand):
    help = (
        "Learn the feature weights from people's decisions (older ones), judge them "
        "against the weights in use on the newer ones, and keep them only if they win."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--min-decisions",
            type=int,
            default=settings.MAAKMATCH_LEARN_MIN_DECISIONS,
            help="learn nothing with fewer decisions than this",
        )

    def handle(self, *args: object, **options: object) -> None:
        result = weights_learn(min_decisions=options["min_decisions"])
        c = result.comparison
        if c is not None:
            self.stdout.write(
                f"Learned from {c.train} older decisions, judged on {c.test} newer ones.\n"
            )
            self.stdout.write(f"| {'':<14} | {'in use':>7} | {'learned':>7} |")
            self.stdout.write(f"|{'-' * 16}|{'-' * 9}|{'-' * 9}|")
            for feature in FEATURES:
                self.stdout.write(
                    f"| {feature:<14} | {c.current[feature]:>7.3f} | {c.learned[feature]:>7.3f} |"
                )
            self.stdout.write(f"| {'AUC':<14} | {c.auc_current:>7.3f} | {c.auc_learned:>7.3f} |")
            self.stdout.write(
                f"| {'nDCG@10':<14} | {c.ndcg_current:>7.3f} | {c.ndcg_learned:>7.3f} |\n"
            )
        self.stdout.write(result.reason)
