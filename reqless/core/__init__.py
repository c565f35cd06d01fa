"""The core: the Lua script that does the work, and the gateway that runs it."""

from reqless.core.runner import Arg, CoreError, CoreRunner, ServerFullError, format_now
from reqless.core.script import CoreScriptText, load_script

__all__ = [
    "Arg",
    "CoreError",
    "CoreRunner",
    "CoreScriptText",
    "ServerFullError",
    "format_now",
    "load_script",
]
