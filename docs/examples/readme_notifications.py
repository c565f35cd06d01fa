"""README, "Notifications": print the events of tracked jobs.

The README's loop registers a callback per event and then listens forever. So
that this script ends, a thread waits until the listener is subscribed, walks a
tracked job through put, pop and complete, and the "completed" callback also
stops the listener (the two added pieces are marked below).
"""

import os
import threading
from functools import partial  # the README imports it after `callback`

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))


def callback(evt, jid):
    print("%s => %s" % (jid, evt))  # noqa: UP031


for evt in ["canceled", "completed", "failed", "popped", "put", "stalled", "track", "untrack"]:
    client.events.on(evt, partial(callback, evt))


# Added: stop listening after the demo job's "completed" event has been printed.
def completed(jid):
    callback("completed", jid)
    client.events.unlisten()


client.events.on("completed", completed)


# Added: a tracked job's life, once the listener is subscribed.
def produce():
    client.events.listener.wait_until_listening(timeout=10)
    queue = client.queues["underpants"]
    jid = queue.put(gnomes.GnomesJob, {})
    client.track(jid)
    queue.put(gnomes.GnomesJob, {}, jid=jid)
    queue.pop().complete()


threading.Thread(target=produce, daemon=True).start()
client.events.listen()
