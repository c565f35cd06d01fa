-- queue.pop / queue.peek

-- Fields read for every job a pop may hand out: Job.FIELDS and `time`, but for
-- the other two unique fields, which handOut reads only for a job that has a key
-- (a field a hash lacks costs HMGET a scan of the whole hash), and the fields a
-- job that waits never has (progress, result) or a worker never needs (batch).
local POP_FIELDS = {
  'jid', 'klass', 'state', 'queue', 'worker', 'priority', 'expires', 'retries',
  'remaining', 'data', 'tags', 'failure', 'throttles', 'spawned_from_jid', 'history', 'time',
  'unique', 'group', 'trace',
}

-- At most this many candidates are looked at beyond `limit` in one pop when
-- they turn out held by rate windows or hand a group its next head (which do
-- not use up the pop's passes), so that no pop call runs long.
local SCAN_CAP = 1000

-- Hand job `jid` (its fields in `record`) to `worker` (docs/core-commands.md, queue.pop) and
-- return its job object. Wait samples are collected in `waits`.
local function handOut(jid, record, queue, worker, now, s, waits, lean)
  if record.unique then Unique.readTerms(jid, record) end
  Job.migrate(jid, record)
  History.append(jid, floor(now), 'popped', { worker = worker }, s.historyLimit)
  local expires = now + s.heartbeat
  table.insert(waits, now - (tonumber(record.time) or now))
  call('zadd', Keys.workerJobs(worker), expires, jid)
  call('hset', Keys.job(jid), 'worker', worker, 'expires', expires, 'state', 'running',
    'time', string.format('%.20f', now))
  call('zadd', Keys.queue(queue, 'locks'), expires, jid)
  -- unique_until=start: the key is free from the job's first start on.
  if record.unique_until == 'start' then Unique.release(jid, record) end
  local tracked = Events.isTracked(jid)
  Events.tracked('popped', jid, tracked)
  record.worker, record.expires, record.state = worker, expires, 'running'
  return Job.toObject(jid, record, tracked, lean)
end

-- Pop up to `limit` jobs of `queue` for `worker` (docs/core-commands.md, queue.pop); returns the
-- job objects (`lean` ones without history and dependencies: see Job.toObject).
-- Arguments are already validated. `registered`: the caller already recorded the
-- worker in ql:workers at `now`.
local function popJobs(now, queue, worker, limit, lean, registered)
  if Queue.isPaused(queue) then return {} end

  local config = Config.read({
    queue .. '-heartbeat', 'heartbeat', 'grace-period', 'max-job-history',
    queue .. '-max-pop-retry', 'max-pop-retry',
  })
  local settings = {
    heartbeat = Config.number(config, queue .. '-heartbeat', 'heartbeat'),
    grace = Config.number(config, 'grace-period'),
    historyLimit = Config.number(config, 'max-job-history'),
  }
  local passes = Config.number(config, queue .. '-max-pop-retry', 'max-pop-retry')

  if not registered then call('zadd', Keys.WORKERS, now, worker) end
  local result, waits = {}, {}
  for _, jid in ipairs(Queue.expireLocks(queue, now, limit, settings)) do
    local record = Job.read(jid, POP_FIELDS)
    if record then table.insert(result, handOut(jid, record, queue, worker, now, settings, waits, lean)) end
  end

  local queueThrottle = Keys.queueThrottleId(queue)
  local open, reopens = Throttle.available(queueThrottle, now)
  if reopens then call('zadd', Keys.queue(queue, 'rated'), 'LT', reopens, queueThrottle) end
  if open then
    local budget = limit - #result
    -- Most queues have no recurring, scheduled or rate-held jobs: one look for all.
    local recur, scheduled = Keys.queue(queue, 'recur'), Keys.queue(queue, 'scheduled')
    local rated = Keys.queue(queue, 'rated')
    if budget > 0 and call('exists', recur, scheduled, rated) > 0 then
      Recurring.spawn(queue, now, budget, settings.historyLimit)
      Queue.promote(queue, now, budget)
      Throttle.reopenDue(queue, now)
    end
    local work = Keys.queue(queue, 'work')
    local scanned = 0
    while #result < limit and passes > 0 do
      local wanted = limit - #result
      local candidates = call('zrevrange', work, 0, wanted - 1)
      if #candidates == 0 then break end
      -- A pass uses up one of the pop's passes (max-pop-retry) when it held a
      -- job on a concurrency maximum (or met a jid without a record), as ever.
      -- Jobs held by a rate window, and group heads handed out (whose groups
      -- put their next heads into work), let the pop go on looking: neither
      -- ever makes the next pass meet the same jobs again.
      local spent, promoted = false, false
      local looked = {}
      for _, jid in ipairs(candidates) do
        looked[#looked + 1] = jid
        local record = Job.read(jid, POP_FIELDS)
        if record then
          local tids = Throttle.decode(record.throttles)
          local blocked, opens = Throttle.firstUnavailable(tids, now)
          if blocked then
            Throttle.hold(jid, queue, blocked, record.state, now, settings.historyLimit, opens)
            if not opens then spent = true end
          else
            Throttle.acquire(jid, tids, now)
            table.insert(result, handOut(jid, record, queue, worker, now, settings, waits, lean))
          end
          if record.group then
            Group.take(queue, record.group, jid, blocked ~= nil, now)
            -- The group's next head may come before the candidates left: the
            -- next pass takes the best of work again.
            if blocked == nil then
              promoted = true
              break
            end
          end
        else
          spent = true
        end
      end
      Args.chunked('zrem', work, looked)
      scanned = scanned + #looked
      -- Work held no more than this pass took, and no group added a head.
      if #candidates < wanted and not promoted then break end
      if scanned >= limit + SCAN_CAP then
        -- Work may hold more past the jobs held here: due at once (queues.pop).
        Queue.lookAgain = true
        break
      end
      if spent then passes = passes - 1 end
    end
  end
  Stats.record('wait', queue, now, waits)
  return result
end

-- queue.pop
--
-- Arguments: queue, worker, limit
-- Reply: JSON array of job objects (reassigned stalled jobs first), `[]` when empty.
-- Errors: Queue(): no queue name provided; Pop(): Arg "worker" missing;
--   Pop(): Arg "limit" missing or not a number: <v>
-- Events: lock expiry (ql:stalled, lock_lost, failed); ql:popped for tracked jobs.
-- Keys: ql:workers; the queue's work, locks, scheduled, recur and throttled
--   sets; job hashes and histories; worker job sets; throttle sets; stats;
--   for rate windows the throttles' starts logs and the queue's rated timers,
--   for fair groups the queue's group keys (lib/group.lua). A job held by a
--   rate window does not use up a pass (docs/core-decisions.md).
Commands['queue.pop'] = function(now, args)
  local queue = Args.require(args[1], 'Queue(): no queue name provided')
  local worker = Args.require(args[2], 'Pop(): Arg "worker" missing')
  local limit = math.max(Args.count(args[3], 'Pop(): Arg "limit" missing or not a number: '), 0)
  return Json.list(popJobs(now, queue, worker, limit))
end

-- queues.pop
--
-- An extension of ours (other clients never need it), used by our worker.
--
-- Arguments: worker, limit, wait, queue [, queue]...
-- Pops up to `limit` jobs from the queues in the order given (the earlier
-- queues first). When nothing was popped and `wait` > 0, records `worker` as
-- waiting on every queue for `wait` seconds, so that a job made ready there
-- pushes a token onto the queue's wake list, which the worker BLPOPs. Doing
-- both in one call leaves no gap in which a put could go unnoticed.
-- Reply: JSON {"jobs": [job objects without history, dependents and
--   dependencies], "wake": [wake list keys] (only when
--   waiting), "next": earliest due time of the queues' scheduled, recurring or
--   locked jobs or rate timers (`now` when a pop stopped looking after holding
--   SCAN_CAP jobs on rate windows: work may hold more past them), or absent, "clock": `now` minus the server's clock (TIME), in
--   seconds (only when waiting; see queues.popAt)}.
-- Errors: Pop(): Arg "worker" missing; Pop(): Arg "limit" missing or not a
--   number: <v>; Pop(): Arg "wait" missing or not a number: <v>;
--   Pop(): no queue name provided
-- Keys: those of queue.pop; ql:waiting:<queue>, ql:wake:<queue>.
Commands['queues.pop'] = function(now, args)
  local worker = Args.require(args[1], 'Pop(): Arg "worker" missing')
  local limit = math.max(Args.count(args[2], 'Pop(): Arg "limit" missing or not a number: '), 0)
  local wait = Args.finite(args[3], 'Pop(): Arg "wait" missing or not a number: ')
  local queues = {}
  for i = 4, #args do
    if args[i] == '' then error('Pop(): no queue name provided') end
    queues[#queues + 1] = args[i]
  end
  if #queues == 0 then error('Pop(): no queue name provided') end

  local jobs = {}
  -- Registered once here, also when no queue is looked into.
  call('zadd', Keys.WORKERS, now, worker)
  -- With several queues, one EXISTS leaves out a queue a pop would find nothing
  -- in (about a tenth of what popJobs spends on it): many queues, most of them
  -- empty, is what a worker serving a pattern asks for. A worker of one queue
  -- pops mostly while it has work, where the check would only add a command.
  local gate = #queues > 1
  for _, queue in ipairs(queues) do
    call('zrem', Keys.waiting(queue), worker)
    if #jobs < limit and (not gate or Queue.mayPop(queue)) then
      for _, job in ipairs(popJobs(now, queue, worker, limit - #jobs, true, true)) do
        jobs[#jobs + 1] = job
      end
    end
  end
  local reply = '{"jobs":' .. Json.list(jobs)
  if #jobs == 0 and wait > 0 then
    local wake, earliest = {}, nil
    for i, queue in ipairs(queues) do
      Queue.addWaiter(queue, worker, now, wait)
      wake[i] = Keys.wake(queue)
      local due = Queue.nextDue(queue)
      if due and (earliest == nil or due < earliest) then earliest = due end
    end
    if Queue.lookAgain then earliest = now end
    reply = reply .. ',"wake":' .. encode(wake)
    if earliest then reply = reply .. ',"next":' .. encode(earliest) end
    reply = reply .. ',"clock":' .. string.format('%.6f', now - Queue.serverTime())
  end
  return reply .. '}'
end

-- queues.ready
--
-- An extension of ours (other clients never need it), used by our worker when
-- it serves many queues (a pattern): it asks which of them a pop could take
-- anything from, then sends its pops to those few instead of to all of them.
-- Arguments: queue [, queue]...
-- Reply: JSON array of the given queues that are not paused and have waiting,
--   running, scheduled or recurring jobs, in the order given; `[]` when none.
-- Errors: Ready(): no queue name provided
-- Keys: reads each queue's work, locks, scheduled and recur sets, and
--   ql:paused_queues.
Commands['queues.ready'] = function(now, args)
  if #args == 0 then error('Ready(): no queue name provided') end
  local ready = {}
  for i = 1, #args do
    local queue = args[i]
    if queue == '' then error('Ready(): no queue name provided') end
    if Queue.mayPop(queue) and not Queue.isPaused(queue) then ready[#ready + 1] = queue end
  end
  return Json.list(ready)
end

-- queues.popAt
--
-- An extension of ours, used by our worker as it wakes: queues.pop at the
-- worker's time of the moment it runs. The worker sends it in one pipeline
-- after its BLPOP on the wake lists, so the pop runs as soon as the BLPOP
-- returns, with no round trip in between; the `now` it was sent with is stale
-- by then, so the time used is the server's clock (TIME) plus `offset`, the
-- `clock` of the queues.pop reply that registered the wait (the worker's clock
-- minus the server's).
-- Arguments: worker, limit, wait, offset, queue [, queue]...
-- Reply, errors, events and keys: those of queues.pop, and
--   Pop(): Arg "offset" missing or not a number: <v>.
Commands['queues.popAt'] = function(now, args)
  local offset = Args.finite(args[4], 'Pop(): Arg "offset" missing or not a number: ')
  local popArgs = { args[1], args[2], args[3] }
  for i = 5, #args do popArgs[#popArgs + 1] = args[i] end
  return Commands['queues.pop'](Queue.serverTime() + offset, popArgs)
end

-- job.completeAndPop
--
-- An extension of ours, used by our worker: job.complete, then queues.pop
-- for the same worker without waiting, in one call (one round trip per job
-- instead of two).
-- Arguments: jid, worker, queue, data, [result, <json>,] limit, queue [, queue]...
--   (`result` as for job.complete: a limit is a number, so the two cannot clash)
-- Reply: JSON {"jobs": [lean job objects]}; the complete's reply is always
--   `complete`, so it is not repeated.
-- Errors: those of job.complete (nothing is popped then), then of queues.pop.
-- Events, keys: those of job.complete and queue.pop.
Commands['job.completeAndPop'] = function(now, args)
  local completeArgs = { args[1], args[2], args[3], args[4] }
  local at = 5
  if args[5] == 'result' then
    completeArgs[5], completeArgs[6] = 'result', args[6]
    at = 7
  end
  local popArgs = { args[2], args[at], 0 }
  for i = at + 1, #args do popArgs[#popArgs + 1] = args[i] end
  if #popArgs < 4 then error('Pop(): no queue name provided') end
  Commands['job.complete'](now, completeArgs)
  return Commands['queues.pop'](now, popArgs)
end

-- queue.peek
--
-- Arguments: queue, offset, limit
-- Reply: JSON array of job objects in pop order (expired locks first), `[]` when empty.
-- Errors: Queue(): no queue name provided; Peek(): Arg "offset"/"limit" missing or
--   not a number: <v>
-- Events: none.
-- Keys: reads the queue's locks and work sets; spawns recurring jobs and
--   promotes scheduled ones (writes).
Commands['queue.peek'] = function(now, args)
  local queue = Args.require(args[1], 'Queue(): no queue name provided')
  local offset = Args.count(args[2], 'Peek(): Arg "offset" missing or not a number: ')
  local limit = Args.count(args[3], 'Peek(): Arg "limit" missing or not a number: ')
  offset = math.max(offset, 0)
  if limit <= 0 then return '[]' end
  local total = offset + limit
  local jids = call('zrangebyscore', Keys.queue(queue, 'locks'), '-inf', now, 'LIMIT', 0, total)
  local cap = total - #jids
  Recurring.spawn(queue, now, cap)
  Queue.promote(queue, now, cap)
  local work = Keys.queue(queue, 'work')
  local selected
  if offset > #jids then
    local start = offset - #jids
    selected = call('zrevrange', work, start, start + limit - 1)
  else
    if cap > 0 then
      for _, jid in ipairs(call('zrevrange', work, 0, cap - 1)) do table.insert(jids, jid) end
    end
    selected = {}
    for i = offset + 1, math.min(offset + limit, #jids) do table.insert(selected, jids[i]) end
  end
  return Json.list(Job.getMany(selected))
end
