"""README, "Business Time!": creating clients.

Creating a client does not contact the server, so both of the README's lines run
anywhere; the last client connects where REQLESS_URL points.
"""

import os

import reqless

# Connecting to localhost on 6379
client = reqless.Client()
# Connecting to a remote machine
client = reqless.Client("redis://foo.bar.com:1234")

# The examples talk to the server named by REQLESS_URL.
client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
print(len(client.queues["underpants"]))
