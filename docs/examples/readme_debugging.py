"""README, "Debugging / Developing": enqueue a single job of your project.

The README connects with `reqless.Client()` (localhost:6379); here the URL comes
from REQLESS_URL, with the same default.
"""

import os

import awesomeproject

import reqless

url = os.environ.get("REQLESS_URL", "redis://localhost:6379")
reqless.Client(url).queues["foo"].put(awesomeproject.Job, '{"key": "value"}')
