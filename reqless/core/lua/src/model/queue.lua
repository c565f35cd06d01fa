-- Queue sets: work-set scores, removal, registration, promotion of scheduled
-- jobs, and lock expiry with its grace period.

Queue.KINDS = { 'work', 'locks', 'throttled', 'depends', 'scheduled' }

-- Higher priority first; for equal priority, earlier entry first.
function Queue.score(priority, t)
  return priority - t / 10000000000
end

-- Add a job to the work set. Used inside a pop (promotion, spawning), where
-- the popper itself takes the work; everywhere else use Queue.makeReady.
function Queue.addToWork(queue, jid, priority, t)
  call('zadd', Keys.queue(queue, 'work'), Queue.score(priority, t), jid)
end

-- Add a job to the work set and wake a worker blocked waiting on the queue. A
-- job of a group (`group`, the job's field) joins its group instead, which puts
-- it into work when it is the group's next job (lib/group.lua).
function Queue.makeReady(queue, jid, priority, t, group)
  if group then
    Group.add(queue, group, jid, priority, t)
  else
    call('zadd', Keys.queue(queue, 'work'), Queue.score(priority, t), jid)
  end
  Queue.wake(queue)
end

-- Schedule a job for `when`. A worker waiting on the queue is woken too, so it
-- learns the new earliest due time and wakes again then.
function Queue.schedule(queue, jid, when)
  call('zadd', Keys.queue(queue, 'scheduled'), when, jid)
  Queue.wake(queue)
end

-- Per call: queue -> {waiters, tokens pushed}; reset by the dispatcher.
Queue.wakes = {}
-- Per call: a pop stopped looking before the end of work (commands/pop.lua).
Queue.lookAgain = false

-- Push one wake token for `queue` when a worker waits on it, never more tokens
-- than there are waiters. With nobody waiting this costs one ZCARD per call.
function Queue.wake(queue)
  local state = Queue.wakes[queue]
  if state == nil then
    state = { waiters = call('zcard', Keys.waiting(queue)), pushed = 0 }
    Queue.wakes[queue] = state
  end
  if state.pushed >= state.waiters then return end
  local wake = Keys.wake(queue)
  call('lpush', wake, '1')
  if state.pushed == 0 then
    call('ltrim', wake, 0, state.waiters - 1)
    call('pexpire', wake, WAKE_TTL_MS)
  end
  state.pushed = state.pushed + 1
end

-- Record `worker` as blocked on `queue` until `deadline` (for `wait` seconds).
function Queue.addWaiter(queue, worker, now, wait)
  local waiting = Keys.waiting(queue)
  call('zremrangebyscore', waiting, '-inf', now)
  call('zadd', waiting, now + wait, worker)
  local ttl = math.ceil(wait * 1000) + WAKE_TTL_MS
  if call('pttl', waiting) < ttl then call('pexpire', waiting, ttl) end
end

-- The server's clock (TIME) in seconds. Only for queues.popAt, whose caller
-- cannot give a current `now`; every other time comes from the caller.
function Queue.serverTime()
  local t = call('time')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end

-- The earliest time something of `queue` comes due (a scheduled job, a
-- recurring spawn, a lock expiry), or nil.
function Queue.nextDue(queue)
  local earliest
  for _, kind in ipairs({ 'scheduled', 'recur', 'locks', 'rated' }) do
    local first = call('zrange', Keys.queue(queue, kind), 0, 0, 'WITHSCORES')
    local t = tonumber(first[2])
    if t and (earliest == nil or t < earliest) then earliest = t end
  end
  return earliest
end

-- Remove `jid` from every set of `queue` (not throttle, worker or failure sets),
-- and from its group (`group`, the job's field) when it has one.
function Queue.remove(queue, jid, group)
  for _, kind in ipairs(Queue.KINDS) do call('zrem', Keys.queue(queue, kind), jid) end
  if group then Group.remove(queue, group, jid) end
end

-- Remove a job whose state is `running` from its queue. Only a hand-out sets
-- that state, and it takes the job out of every other set of the queue (work
-- candidates leave work, a throttled job leaves the throttled set on release),
-- so a running job sits in the locks set alone: one ZREM does what
-- Queue.remove does, on the hot path of complete and fail.
function Queue.removeRunning(queue, jid)
  call('zrem', Keys.queue(queue, 'locks'), jid)
end

-- Add `queue` to the known queues with first-seen time `now`, unless known.
function Queue.register(queue, now)
  call('zadd', Keys.QUEUES, 'NX', now, queue)
end

-- Whether a pop of `queue` could do anything: it has waiting jobs, locks that
-- may expire, scheduled jobs, recurring templates or rate timers (one EXISTS).
function Queue.mayPop(queue)
  return call('exists', Keys.queue(queue, 'work'), Keys.queue(queue, 'locks'),
    Keys.queue(queue, 'scheduled'), Keys.queue(queue, 'recur'),
    Keys.queue(queue, 'rated')) > 0
end

function Queue.isPaused(queue)
  return call('sismember', Keys.PAUSED, queue) == 1
end

-- Move up to `budget` ready scheduled jobs (score in [0, now]) into work.
function Queue.promote(queue, now, budget)
  budget = floor(budget)
  if budget <= 0 then return end
  local key = Keys.queue(queue, 'scheduled')
  local jids = call('zrangebyscore', key, 0, now, 'LIMIT', 0, budget)
  if #jids == 0 then return end
  for _, jid in ipairs(jids) do
    local fields = call('hmget', Keys.job(jid), 'priority', 'group')
    local priority = tonumber(fields[1]) or 0
    if fields[2] then
      Group.add(queue, fields[2], jid, priority, now)
    else
      Queue.addToWork(queue, jid, priority, now)
    end
    call('hset', Keys.job(jid), 'state', 'waiting')
  end
  Args.chunked('zrem', key, jids)
end

-- Deal with up to `limit` expired locks of `queue` (docs/concepts.md, Locks and heartbeats): the first
-- notice warns the holder and extends the lock by the grace period; the next
-- one takes a retry and returns the jid for reassignment, or fails the job when
-- it has no retries left. `settings` holds grace and historyLimit.
function Queue.expireLocks(queue, now, limit, settings)
  local reassign = {}
  if limit <= 0 then return reassign end
  local locks = Keys.queue(queue, 'locks')
  local expired = call('zrangebyscore', locks, '-inf', now, 'LIMIT', 0, limit)
  local grace = settings.grace
  local when = floor(now)
  for _, jid in ipairs(expired) do
    local key = Keys.job(jid)
    local job = call('hmget', key, 'worker', 'grace', 'remaining', 'queue', 'throttles', 'history',
      'unique', 'spawned_from_jid', 'waiters', 'batch')
    local worker = job[1] or ''
    if job[6] then History.migrate(jid, job[6]) end
    call('zrem', Keys.workerJobs(worker), jid)
    local warn, take = true, true
    if grace > 0 then
      if job[2] == '1' then warn = false else take = false end
    end
    local tracked = Events.isTracked(jid)
    if warn then
      Events.tracked('stalled', jid, tracked)
      History.append(jid, when, 'timed-out', nil, settings.historyLimit)
      call('hset', key, 'grace', 1)
      Events.lockLost(jid, worker)
      call('zadd', locks, now + grace, jid)
      Stats.count(queue, now, 'retries', 1)
    end
    if take then
      call('hdel', key, 'grace')
      local remaining = (tonumber(job[3]) or 0) - 1
      call('hset', key, 'remaining', remaining)
      if remaining < 0 then
        Queue.failExhausted(jid, queue, job[4] or '', worker, job[5], now, tracked, settings)
        if job[7] then Unique.release(jid, { unique = job[7] }) end
        if job[8] then Recurring.ended(jid, job[8], now) end
        if job[9] or job[10] then
          Job.finished(jid, { waiters = job[9] or nil, batch = job[10] or nil }, 'failed', now)
        end
      else
        table.insert(reassign, jid)
      end
    end
  end
  return reassign
end

-- A job whose lock expired once too often fails in group failed-retries-<queue>.
function Queue.failExhausted(jid, queue, jobQueue, worker, throttles, now, tracked, settings)
  call('zrem', Keys.queue(queue, 'work'), jid)
  call('zrem', Keys.queue(queue, 'locks'), jid)
  call('zrem', Keys.queue(queue, 'scheduled'), jid)
  Throttle.releaseAll(jid, Throttle.decode(throttles), now)
  local group = 'failed-retries-' .. jobQueue
  History.append(jid, floor(now), 'failed', { group = group }, settings.historyLimit)
  local message = 'Job exhausted retries in queue "' .. queue .. '"'
  call('hset', Keys.job(jid), 'state', 'failed', 'worker', '', 'expires', '',
    'failure', Job.failure('failed-retries-' .. queue, message, now, ''))
  Job.listFailure(jid, 'failed-retries-' .. queue)
  Events.tracked('failed', jid, tracked)
  Events.failed(jid, 'failed-retries-' .. queue, message, worker)
  Stats.failure(queue, now)
end

-- The count object of one queue (docs/core-commands.md, queue.counts); promotes ready scheduled
-- jobs first.
function Queue.counts(queue, now)
  local locks = Keys.queue(queue, 'locks')
  local stalled = call('zcount', locks, 0, now)
  local scheduled = Keys.queue(queue, 'scheduled')
  Queue.promote(queue, now, call('zcard', scheduled))
  return {
    name = queue,
    waiting = call('zcard', Keys.queue(queue, 'work')) + Group.hidden(queue),
    stalled = stalled,
    running = call('zcard', locks) - stalled,
    throttled = call('zcard', Keys.queue(queue, 'throttled')),
    scheduled = call('zcard', scheduled),
    depends = call('zcard', Keys.queue(queue, 'depends')),
    recurring = call('zcard', Keys.queue(queue, 'recur')),
    paused = Queue.isPaused(queue),
  }
end

-- Count objects of every known queue, by first-seen time then name.
function Queue.allCounts(now)
  local out = {}
  for _, queue in ipairs(call('zrange', Keys.QUEUES, 0, -1)) do
    table.insert(out, Queue.counts(queue, now))
  end
  return out
end

-- Completed jids, newest first (queue.jobsByState complete and jobs.completed).
function Queue.completed(offsetArg, limitArg)
  local offset = Args.paging(offsetArg, 0, 'Jobs(): Arg "offset" not a number: ')
  local limit = Args.paging(limitArg, 25, 'Jobs(): Arg "limit" not a number: ')
  return Json.list(call('zrevrange', Keys.COMPLETED, offset, offset + limit - 1))
end
