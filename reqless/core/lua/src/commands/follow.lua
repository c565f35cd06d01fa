-- Following jobs (docs/following-jobs.md): progress, waiting for a job to
-- finish, and batches.

-- Longest progress message kept, in bytes.
local MESSAGE_LIMIT = 1024

-- job.progress
--
-- An extension of ours: the running job's progress, stored on the job, sent
-- as an event and counted as a heartbeat.
-- Arguments: jid, worker, fraction [, message]
-- Reply: integer, the new lock deadline (truncated), as job.heartbeat.
-- Errors: Job(): no jid provided; Progress(): Arg "worker" missing;
--   Progress(): Arg "fraction" must be a number from 0 to 1: <v>;
--   Progress(): Arg "message" is longer than 1024 bytes;
--   Progress(): Job does not exist; Progress(): Job not currently running: <state>;
--   Progress(): Job given out to another worker: <worker>
-- Events: ql:log {"jid", "event": "progress", "queue", "worker", "fraction", "message"}.
-- Keys: job hash (`progress`: {fraction, message, at}); the worker's job set;
--   the queue's locks set.
Commands['job.progress'] = function(now, args)
  local jid = Args.require(args[1], 'Job(): no jid provided')
  local worker = Args.require(args[2], 'Progress(): Arg "worker" missing')
  local fraction = Args.number(args[3])
  if fraction == nil or fraction ~= fraction or fraction < 0 or fraction > 1 then
    error('Progress(): Arg "fraction" must be a number from 0 to 1: ' .. tostring(args[3]))
  end
  local message = args[4] or ''
  if #message > MESSAGE_LIMIT then
    error('Progress(): Arg "message" is longer than ' .. MESSAGE_LIMIT .. ' bytes')
  end
  local job = Job.read(jid, { 'state', 'worker', 'queue' })
  if job == nil then error('Progress(): Job does not exist') end
  if job.state ~= 'running' then error('Progress(): Job not currently running: ' .. job.state) end
  if job.worker ~= worker or worker == '' then
    error('Progress(): Job given out to another worker: ' .. tostring(job.worker))
  end
  local queue = job.queue or ''
  local config = Config.read({ queue .. '-heartbeat', 'heartbeat' })
  local expires = now + Config.number(config, queue .. '-heartbeat', 'heartbeat')
  local progress = encode({ fraction = fraction, message = message, at = now })
  call('hset', Keys.job(jid), 'expires', expires, 'progress', progress)
  call('zadd', Keys.workerJobs(worker), expires, jid)
  call('zadd', Keys.queue(queue, 'locks'), expires, jid)
  Events.publish('log', '{"jid":' .. encode(jid) .. ',"event":"progress","queue":'
    .. encode(queue) .. ',"worker":' .. encode(worker) .. ',"fraction":' .. encode(fraction)
    .. ',"message":' .. encode(message) .. '}')
  return expires
end

-- job.wait
--
-- An extension of ours: start waiting for job `jid` to finish for good.
-- Arguments: jid
-- Reply: JSON {"state": <state>} when the job is complete or failed already;
--   otherwise {"state": <state>, "wake": <key>}: BLPOP the key; it receives one
--   token, the final state (complete, failed or canceled), per waiter when the
--   job finishes. A waiter that gives up leaves its token to expire.
-- Errors: Wait(): no jid provided; Wait(): Job <jid> does not exist
-- Keys: the job hash (`waiters`).
Commands['job.wait'] = function(now, args)
  local jid = Args.require(args[1], 'Wait(): no jid provided')
  local state = call('hget', Keys.job(jid), 'state')
  if state == false then error('Wait(): Job ' .. jid .. ' does not exist') end
  if state == 'complete' or state == 'failed' then return encode({ state = state }) end
  call('hincrby', Keys.job(jid), 'waiters', 1)
  return encode({ state = state, wake = Keys.jobDone(jid) })
end

-- batch.open
--
-- An extension of ours: a new, open batch (jobs join it with put's `batch`).
-- Arguments: id [, on_success, <callback>] [, on_complete, <callback>]
--   callback: JSON {"klass", "queue", "data" (object), "priority"?}
-- Reply: the id.
-- Errors: Batch(): Arg "batch" must be 1 to 256 characters without control
--   characters: <v>; Batch(): batch <id> exists; Batch(): Odd number of
--   additional args: <v>; Batch(): Arg "on_success"/"on_complete" ...;
--   Batch(): unknown option <name>
-- Keys: ql:b:<id>, ql:batches.
Commands['batch.open'] = function(now, args)
  local bid = Batch.parseId('Batch()', args[1])
  local options = Args.pairs(args, 2, 'Batch(): Odd number of additional args: ')
  local fields = { 'state', 'open', 'total', 0, 'pending', 0, 'complete', 0, 'failed', 0,
    'canceled', 0, 'created', now }
  for name, value in pairs(options) do
    if name ~= 'on_success' and name ~= 'on_complete' then
      error('Batch(): unknown option ' .. name)
    end
    fields[#fields + 1] = name
    fields[#fields + 1] = Batch.parseCallback(name, value)
  end
  if call('exists', Keys.batch(bid)) == 1 then error('Batch(): batch ' .. bid .. ' exists') end
  call('hset', Keys.batch(bid), unpack(fields))
  call('zadd', Keys.BATCHES, now, bid)
  return bid
end

local function knownBatch(args)
  local bid = Args.require(args[1], 'Batch(): no id provided')
  local state = Batch.state(bid)
  if state == nil then error('Batch(): batch ' .. bid .. ' does not exist') end
  return bid, state
end

-- batch.close
--
-- An extension of ours: no more jobs join the batch; when none of its jobs is
-- pending, its callbacks are put now, else by the call that finishes the last.
-- Arguments: id
-- Reply: the batch object (as batch.get).
-- Errors: Batch(): no id provided; Batch(): batch <id> does not exist
-- Keys: ql:b:<id>; the callbacks' keys (those of queue.put).
-- Writes: adds jobs
Commands['batch.close'] = function(now, args)
  local bid, state = knownBatch(args)
  if state == 'open' then Batch.close(bid, now) end
  return encode(Batch.describe(bid))
end

-- batch.get
--
-- An extension of ours.
-- Arguments: id
-- Reply: JSON {id, state, total, pending, complete, failed, canceled, created,
--   finished (time or false), on_success, on_complete (callbacks or false)}, or
--   nil for an unknown (or expired) batch.
-- Errors: Batch(): no id provided
-- Writes: none
Commands['batch.get'] = function(now, args)
  local bid = Args.require(args[1], 'Batch(): no id provided')
  local object = Batch.describe(bid)
  if object == nil then return nil end
  return encode(object)
end

-- batch.jobs
--
-- An extension of ours.
-- Arguments: id [, offset [, limit]]
-- Reply: JSON array of the batch's jids, sorted; `[]` when none.
-- Errors: Batch(): no id provided; Batch(): Arg "offset"/"limit" not a number: <v>
-- Writes: none
Commands['batch.jobs'] = function(now, args)
  local bid = Args.require(args[1], 'Batch(): no id provided')
  local offset = Args.paging(args[2], 0, 'Batch(): Arg "offset" not a number: ')
  local limit = Args.paging(args[3], 25, 'Batch(): Arg "limit" not a number: ')
  local jids = call('smembers', Keys.batchJobs(bid))
  table.sort(jids)
  local out = {}
  if offset < 0 or limit <= 0 then return '[]' end
  for i = offset + 1, math.min(#jids, offset + limit) do out[#out + 1] = jids[i] end
  return Json.list(out)
end

-- batch.canceled
--
-- An extension of ours: which of the given jids were canceled as jobs of the
-- batch (a canceled job is deleted; its batch keeps its jid as canceled until
-- the batch's keys expire, or until it is put into the batch again).
-- Arguments: id, jid [, jid ...] (at most 1000 jids)
-- Reply: JSON array of those of the jids that were canceled, in the order given;
--   `[]` when none (or the batch is unknown or expired).
-- Errors: Batch(): no id provided; Batch(): no jids provided; Batch(): at most
--   1000 jids at once: <n>
-- Writes: none
Commands['batch.canceled'] = function(now, args)
  local bid = Args.require(args[1], 'Batch(): no id provided')
  if args[2] == nil then error('Batch(): no jids provided') end
  if #args > 1001 then error('Batch(): at most 1000 jids at once: ' .. (#args - 1)) end
  local jids = { unpack(args, 2) }
  local found = call('smismember', Keys.batchCanceled(bid), unpack(jids))
  local out = {}
  for i, jid in ipairs(jids) do
    if found[i] == 1 then out[#out + 1] = jid end
  end
  return Json.list(out)
end

-- batch.list
--
-- An extension of ours.
-- Arguments: [offset [, limit]]
-- Reply: JSON array of batch objects, newest first; batches whose keys have
--   expired are left out. `[]` when none.
-- Errors: Batch(): Arg "offset"/"limit" not a number: <v>
-- Writes: none
Commands['batch.list'] = function(now, args)
  local offset = Args.paging(args[1], 0, 'Batch(): Arg "offset" not a number: ')
  local limit = Args.paging(args[2], 25, 'Batch(): Arg "limit" not a number: ')
  if offset < 0 or limit <= 0 then return '[]' end
  local out = {}
  for _, bid in ipairs(call('zrevrange', Keys.BATCHES, offset, offset + limit - 1)) do
    local object = Batch.describe(bid)
    if object then out[#out + 1] = object end
  end
  return Json.list(out)
end

-- batch.cancel
--
-- An extension of ours: cancel every job of the batch that has not finished
-- (as job.cancel, which refuses first when one is a dependency of a job left
-- out); the batch then finishes with them counted as canceled.
-- Arguments: id
-- Reply: JSON array of the canceled jids.
-- Errors: Batch(): no id provided; Batch(): batch <id> does not exist; the
--   errors of job.cancel
-- Keys: those of job.cancel; ql:b:<id>.
Commands['batch.cancel'] = function(now, args)
  local bid = knownBatch(args)
  local jids = {}
  for _, jid in ipairs(call('smembers', Keys.batchJobs(bid))) do
    local state = call('hget', Keys.job(jid), 'state')
    if state and state ~= 'complete' and state ~= 'failed' then jids[#jids + 1] = jid end
  end
  table.sort(jids)
  if #jids > 0 then Commands['job.cancel'](now, jids) end
  return Json.list(jids)
end
