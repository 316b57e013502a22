"""Old home of `dl4lib.checks.optimizers`, kept so that released notebooks keep importing it.

Remove after the current term: new test cells import `dl4lib.checks.optimizers`, and unit 7
imports `rule_trajectory` from `dl4lib.rule_trajectory`.
"""

from dl4lib.checks.optimizers import *  # noqa: F403 - the old module's public names
from dl4lib.checks.optimizers import __all__ as _checks
from dl4lib.rule_trajectory import rule_trajectory

__all__ = [*_checks, "rule_trajectory"]
