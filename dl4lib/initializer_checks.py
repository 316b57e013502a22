"""Old home of `dl4lib.checks.initializers`, kept so that released notebooks keep importing it.

Remove after the current term: new test cells import `dl4lib.checks.initializers`.
"""

from dl4lib.checks.initializers import *  # noqa: F403 - the old module's public names
from dl4lib.checks.initializers import __all__  # noqa: F401
