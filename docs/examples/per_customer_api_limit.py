"""docs/concepts.md, "A per-customer API limit": calls to a payment API limited for
all customers together and for each customer alone, and a customer's burst of jobs
never keeping another customer waiting.

A worker would run `billing.Charge`; here the script pops as a worker does, so
what it prints shows the order jobs start in.
"""

import json
import os

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))

# The API's own limit, all customers together: 100 calls in any 60 seconds.
client.throttles["stripe"].set_rate(100, 60)
# Each customer's limit, from a template: 3 calls in any 60 seconds. Nothing is
# stored per customer, and an idle customer's throttle costs nothing.
client.throttles.template("stripe:customer-*", rate=3, per=60)

charges = client.queues["charges"]


def charge(customer: int, amount: int) -> str:
    """Queue a charge: it holds both throttles, and waits in its customer's group."""
    return charges.put(
        "billing.Charge", {"customer": customer, "amount": amount},
        throttles=["stripe", f"stripe:customer-{customer}"],
        group=f"customer-{customer}",
    )  # fmt: skip


# Customer 42 sends a burst of 50 charges, then customer 7 sends one.
for amount in range(50):
    charge(42, amount)
charge(7, 10)

# Pop as a worker does. Customer 7's charge starts second, not after the burst;
# customer 42 starts 3 charges, and its 4th waits for its window to reopen.
started = []
while (job := charges.pop()) is not None:
    started.append(json.loads(job.data)["customer"])
    job.complete()
print("started:", ", ".join(f"customer {customer}" for customer in started))

customer = client.throttles["stripe:customer-42"].info()
print(f"stripe:customer-42: {customer.used} of {customer.rate} starts used ({customer.template})")
print(f"stripe: {client.throttles['stripe'].used()} of 100 starts used")
# Customer 42's group is parked on its held charge; the rest of its charges wait behind it.
for group in charges.groups():
    held = "parked on a held charge, " if group["parked"] else ""
    print(f"{group['group']}: {held}{group['waiting']} more charges waiting")
