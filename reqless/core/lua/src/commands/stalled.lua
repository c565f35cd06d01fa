-- Stalled jobs in reqless's one meaning (docs/concepts.md): jobs whose worker no
-- longer holds them and that the next pop hands to another worker. That is an
-- expired lock, or a job its worker handed back with job.timeout, which waits in
-- the work set at score +inf (priorities are finite, so nothing else scores so).
-- queue.counts and queue.jobsByState keep the spec's narrower meaning (expired
-- locks only), which other clients and the conformance suite rely on.

-- The number of jobs of `queue` handed back with job.timeout.
local function handedBack(queue)
  return call('zcount', Keys.queue(queue, 'work'), '+inf', '+inf')
end

-- queue.counts's object, with handed-back jobs moved from waiting to stalled.
local function stalledCounts(queue, now)
  local counts = Queue.counts(queue, now)
  local back = handedBack(queue)
  counts.waiting = counts.waiting - back
  counts.stalled = counts.stalled + back
  return counts
end

-- queue.stalledCounts
--
-- Arguments: [queue]
-- Reply: queue.counts's object, except that `stalled` also counts the jobs handed
--   back with job.timeout and `waiting` does not; without a queue, an array of
--   every known queue's object, by first-seen time then name (`[]` when none).
-- Keys: as queue.counts (promotes ready scheduled jobs), and the work sets.
Commands['queue.stalledCounts'] = function(now, args)
  if args[1] ~= nil then return encode(stalledCounts(args[1], now)) end
  local out = {}
  for _, queue in ipairs(call('zrange', Keys.QUEUES, 0, -1)) do
    table.insert(out, stalledCounts(queue, now))
  end
  return Json.list(out)
end

-- queue.stalledJobs
--
-- Arguments: queue [, offset [, limit]]
-- Reply: JSON array of jids (`[]` when empty), in the order pops hand them out:
--   expired locks (deadline in [-inf, now], deadline ascending, as
--   queue.jobsByState stalled), then jobs handed back with job.timeout (jid
--   ascending). `offset` (default 0) and `limit` (default 25) page the whole
--   list: limit 0 gives nothing, a negative limit everything after offset, and a
--   negative offset nothing.
-- Errors: Jobs(): Arg "queue" missing; Jobs(): Arg "offset" not a number: <v>;
--   Jobs(): Arg "limit" not a number: <v>
-- Keys: reads the queue's locks and work sets.
-- Writes: none
Commands['queue.stalledJobs'] = function(now, args)
  local queue = Args.require(args[1], 'Jobs(): Arg "queue" missing')
  local offset = Args.paging(args[2], 0, 'Jobs(): Arg "offset" not a number: ')
  local limit = Args.paging(args[3], 25, 'Jobs(): Arg "limit" not a number: ')
  if offset < 0 or limit == 0 then return '[]' end
  local locks = Keys.queue(queue, 'locks')
  local jids = call('zrangebyscore', locks, '-inf', now, 'LIMIT', offset, limit)
  if limit > 0 and #jids >= limit then return Json.list(jids) end
  local skip = offset - call('zcount', locks, '-inf', now)
  if skip < 0 then skip = 0 end
  local rest = limit < 0 and -1 or limit - #jids
  local work = Keys.queue(queue, 'work')
  for _, jid in ipairs(call('zrangebyscore', work, '+inf', '+inf', 'LIMIT', skip, rest)) do
    table.insert(jids, jid)
  end
  return Json.list(jids)
end
