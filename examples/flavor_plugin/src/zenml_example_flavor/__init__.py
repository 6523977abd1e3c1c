"""An example third-party zenml plugin: the ``file`` alerter flavor.

Importing this package imports nothing: zenml loads :mod:`.plugin` through
the ``zenml`` entry point, the config classes in :mod:`.flavors` when it
needs the flavor list, and :mod:`.alerter` only when a message is posted.
"""

__version__ = "0.1.0"
