-- Commands on one queue: length, counts, jobsByState, pause, unpause, forget,
-- unfail.

-- queue.length
--
-- Arguments: queue
-- Reply: integer, running + waiting + scheduled jobs.
-- Errors: Queue(): no queue name provided
-- Writes: none
Commands['queue.length'] = function(now, args)
  local queue = Args.require(args[1], 'Queue(): no queue name provided')
  return call('zcard', Keys.queue(queue, 'locks'))
    + call('zcard', Keys.queue(queue, 'work'))
    + call('zcard', Keys.queue(queue, 'scheduled'))
    + Group.hidden(queue)
end

-- queue.counts
--
-- Arguments: [queue]
-- Reply: the queue's count object; without a queue, an array of every known
--   queue's object (`{}` when there are none, as in the original).
Commands['queue.counts'] = function(now, args)
  if args[1] == nil then return encode(Queue.allCounts(now)) end
  return encode(Queue.counts(args[1], now))
end

-- queue.jobsByState
--
-- Arguments: state, queue [, offset [, limit]] | complete [, offset [, limit]]
-- Reply: JSON array of jids, `[]` when empty.
-- Errors: Jobs(): Arg "state" missing; Jobs(): Arg "queue" missing;
--   Jobs(): Arg "offset"/"limit" not a number: <v>; Jobs(): Unknown type "<state>"
-- Keys: reads the queue's sets; `scheduled` promotes ready jobs first (writes).
local BY_STATE = {
  running = true, stalled = true, throttled = true, scheduled = true,
  depends = true, recurring = true,
}
Commands['queue.jobsByState'] = function(now, args)
  local state = Args.require(args[1], 'Jobs(): Arg "state" missing')
  if state == 'complete' then return Queue.completed(args[2], args[3]) end
  local queue = Args.require(args[2], 'Jobs(): Arg "queue" missing')
  local offset = Args.paging(args[3], 0, 'Jobs(): Arg "offset" not a number: ')
  local limit = Args.paging(args[4], 25, 'Jobs(): Arg "limit" not a number: ')
  if not BY_STATE[state] then error('Jobs(): Unknown type "' .. state .. '"') end
  local key
  if state == 'running' then
    key = Keys.queue(queue, 'locks')
    return Json.list(call('zrangebyscore', key, now, '+inf', 'LIMIT', offset, limit))
  elseif state == 'stalled' then
    key = Keys.queue(queue, 'locks')
    return Json.list(call('zrangebyscore', key, '-inf', now, 'LIMIT', offset, limit))
  elseif state == 'recurring' then
    key = Keys.queue(queue, 'recur')
    return Json.list(call('zrangebyscore', key, 0, '+inf', 'LIMIT', offset, limit))
  end
  key = Keys.queue(queue, state)
  if state == 'scheduled' then Queue.promote(queue, now, call('zcard', key)) end
  return Json.list(call('zrange', key, offset, offset + limit - 1))
end

-- queue.pause / queue.unpause
--
-- Arguments: queue... (one or more)
-- Reply: nil.
-- Errors: Pause(): Arg "queue" missing / Unpause(): Arg "queue" missing
-- Keys: ql:paused_queues
Commands['queue.pause'] = function(now, args)
  Args.require(args[1], 'Pause(): Arg "queue" missing')
  Args.chunked('sadd', Keys.PAUSED, args)
  return nil
end

Commands['queue.unpause'] = function(now, args)
  Args.require(args[1], 'Unpause(): Arg "queue" missing')
  Args.chunked('srem', Keys.PAUSED, args)
  return nil
end

-- queue.forget
--
-- Arguments: queue... (one or more)
-- Reply: nil.
-- Errors: Forget(): Arg "queue" missing
-- Keys: ql:queues
Commands['queue.forget'] = function(now, args)
  Args.require(args[1], 'Forget(): Arg "queue" missing')
  Args.chunked('zrem', Keys.QUEUES, args)
  return nil
end

-- queue.unfail
--
-- Arguments: queue, group [, count]
-- Reply: integer, the number of jobs moved back to `queue`.
-- Errors: queue.unfail(): Arg "queue" missing; Unfail(): Arg "group" missing;
--   Unfail(): Arg "count" not a number: <v>;
--   Unfail(): Arg "count" must be greater than zero;
--   Unfail(): Job <jid> of group <group> does not exist (checked before any change)
-- Keys: ql:f:<group>, ql:failures; job hashes and histories; the queue's work set.
Commands['queue.unfail'] = function(now, args)
  local queue = Args.require(args[1], 'queue.unfail(): Arg "queue" missing')
  local group = Args.require(args[2], 'Unfail(): Arg "group" missing')
  local count = Args.paging(args[3], 25, 'Unfail(): Arg "count" not a number: ')
  if count <= 0 then error('Unfail(): Arg "count" must be greater than zero') end
  local key = Keys.failureGroup(group)
  local jids = call('lrange', key, -count, -1)
  local jobs = {}
  for i, jid in ipairs(jids) do
    jobs[i] = Job.read(jid, { 'retries', 'priority', 'history', 'group', 'batch' })
    if jobs[i] == nil then
      error('Unfail(): Job ' .. jid .. ' of group ' .. group .. ' does not exist')
    end
  end
  if #jids == 0 then return 0 end
  local historyLimit = Config.getNumber('max-job-history')
  for i, jid in ipairs(jids) do
    local job = jobs[i]
    Job.migrate(jid, job)
    History.append(jid, floor(now), 'put', { queue = queue }, historyLimit)
    call('hset', Keys.job(jid), 'state', 'waiting', 'worker', '', 'expires', 0,
      'queue', queue, 'remaining', tonumber(job.retries) or 5)
    Queue.makeReady(queue, jid, tonumber(job.priority) or 0, now, job.group)
    if job.batch then Batch.reopened(job.batch, 'failed') end
  end
  call('ltrim', key, 0, -#jids - 1)
  if call('llen', key) == 0 then call('srem', Keys.FAILURES, group) end
  return #jids
end
