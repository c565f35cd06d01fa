-- Listings across queues (docs/core-commands.md, queues.counts): queues.counts and queues.names.

-- queues.counts
--
-- Arguments: none
-- Reply: JSON array of count objects (docs/core-commands.md, queue.counts), by first-seen time then name;
--   `[]` when there are no known queues.
-- Keys: promotes every queue's ready scheduled jobs (writes).
Commands['queues.counts'] = function(now, args)
  return Json.list(Queue.allCounts(now))
end

-- queues.names
--
-- Arguments: none
-- Reply: JSON array of known queue names, by first-seen time then name; `[]`
--   when empty.
-- Keys: reads ql:queues.
-- Writes: none
Commands['queues.names'] = function(now, args)
  return Json.list(call('zrange', Keys.QUEUES, 0, -1))
end
