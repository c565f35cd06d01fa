"""README, "Job Dependencies": the omelet waits for the eggs and the pan.

`myJob` is any job class, here `gnomes.GnomesJob`. (The README spells the queue
"omelete"; kept as written.)
"""

import os

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
myJob = gnomes.GnomesJob

eggs_jid = client.queues["buy_eggs"].put(myJob, '{"count": 12}')
pan_jid  = client.queues["buy_pan" ].put(myJob, '{"coating": "non-stick"}')  # fmt: skip
client.queues["omelete"].put(myJob, '{"toppings": ["onions", "ham"]}', depends=[eggs_jid, pan_jid])  # fmt: skip  # noqa: E501
