-- Unique jobs (docs/concepts.md, Unique jobs; docs/core-decisions.md): a key
-- `ql:u:<key>` names the one live job that holds a unique key. Every call that
-- ends a job's hold releases the key in the same atomic call, and a put looks
-- past a holder that no longer counts, so a key can never stay held by a job
-- that has ended.

-- The job hash fields of a unique job; absent on every other job.
Unique.FIELDS = { 'unique', 'unique_until', 'unique_expires' }

local POLICIES = { keep = true, replace = true, error = true }
local UNTIL = { finish = true, start = true }

-- The unique options of a put (its `key, value` options), checked; nil when
-- the put names no key. Raises a Put() error naming the argument otherwise.
function Unique.parse(options)
  local key = options.unique
  if key == nil then
    for _, name in ipairs({ 'on_conflict', 'unique_until', 'unique_for' }) do
      if options[name] ~= nil then
        error('Put(): Arg "' .. name .. '" given without Arg "unique"')
      end
    end
    return nil
  end
  if key == '' then error('Put(): Arg "unique" must be a non-empty string') end
  local policy = options.on_conflict or 'keep'
  if not POLICIES[policy] then
    error('Put(): Arg "on_conflict" not one of keep, replace, error: ' .. policy)
  end
  local untilWhen = options.unique_until or 'finish'
  if not UNTIL[untilWhen] then
    error('Put(): Arg "unique_until" not one of finish, start: ' .. untilWhen)
  end
  local seconds = nil
  if options.unique_for ~= nil then
    local message = 'Put(): Arg "unique_for" not a positive number: '
    seconds = Args.finite(options.unique_for, message)
    if seconds <= 0 then error(message .. options.unique_for) end
  end
  return { key = key, policy = policy, untilWhen = untilWhen, seconds = seconds }
end

-- The jid holding `key` at `now`, or nil. A holder counts only while its job
-- exists, still names the key, has not completed or failed, and (with
-- `unique_for`) has not run out of time; any other holder is stale, and the
-- next put takes the key over.
function Unique.holder(key, now)
  local jid = call('get', Keys.unique(key))
  if not jid then return nil end
  local job = call('hmget', Keys.job(jid), 'state', 'unique', 'unique_expires')
  local state, named, expires = job[1], job[2], tonumber(job[3])
  if not state or named ~= key or state == 'complete' or state == 'failed' then return nil end
  if expires and now >= expires then return nil end
  return jid
end

-- Make job `jid` the holder of the key of `u` (Unique.parse's table) and
-- record it in the job's hash.
function Unique.claim(jid, u, now)
  local job = Keys.job(jid)
  call('hset', job, 'unique', u.key, 'unique_until', u.untilWhen)
  if u.seconds then
    call('hset', job, 'unique_expires', now + u.seconds)
  else
    call('hdel', job, 'unique_expires')
  end
  call('set', Keys.unique(u.key), jid)
end

-- Release the key job `jid` was put with (`fields.unique`), if it still holds
-- it: the one call every path that ends a job's hold makes.
function Unique.release(jid, fields)
  local key = fields and fields.unique
  if not key or key == '' then return end
  local name = Keys.unique(key)
  if call('get', name) == jid then call('del', name) end
end

-- Add `unique_until` and `unique_expires` of job `jid` to `record`, which was
-- read with `unique` only (as a pop reads every job).
function Unique.readTerms(jid, record)
  local terms = call('hmget', Keys.job(jid), 'unique_until', 'unique_expires')
  record.unique_until = terms[1] or nil
  record.unique_expires = terms[2] or nil
end

-- The `unique`, `unique_until` and `unique_expires` members of a job object,
-- only for a job put with a key (the others' objects are as before).
function Unique.describe(object, record)
  if not record.unique then return end
  object.unique = record.unique
  object.unique_until = record.unique_until or 'finish'
  object.unique_expires = Args.finiteOrNil(record.unique_expires)
end

-- on_conflict=replace: the holder `jid` takes the data, priority and delay of
-- put `p` in place, while it waits (waiting, scheduled, depends, throttled).
-- A running or stalled holder is left alone, as with keep.
function Unique.replace(jid, p, now, historyLimit)
  local job = Job.read(jid, { 'state', 'queue', 'priority', 'time', 'group' })
  local state = job and job.state
  local queue = job and job.queue
  if not queue then return end
  if state ~= 'waiting' and state ~= 'scheduled' and state ~= 'depends' and state ~= 'throttled' then
    return
  end
  local key = Keys.job(jid)
  local priority = p.priority or tonumber(job.priority) or 0
  call('hset', key, 'data', p.data, 'priority', priority)
  History.append(jid, floor(now), 'replaced', { queue = queue },
    historyLimit or Config.getNumber('max-job-history'))
  if state == 'depends' then
    -- The delay starts when the last dependency completes (as for put).
    if p.delay > 0 then call('hset', key, 'scheduled', now + p.delay) else call('hdel', key, 'scheduled') end
  elseif state == 'throttled' then
    -- It waits for a slot, not for a time: only its place in the work set
    -- (taken when the slot frees) follows the new priority, from the record.
    return
  else
    call('zrem', Keys.queue(queue, 'work'), jid)
    call('zrem', Keys.queue(queue, 'scheduled'), jid)
    if job.group then Group.remove(queue, job.group, jid) end
    if p.delay > 0 then
      Queue.schedule(queue, jid, now + p.delay)
      call('hset', key, 'state', 'scheduled')
    else
      Queue.makeReady(queue, jid, priority, tonumber(job.time) or now, job.group)
      call('hset', key, 'state', 'waiting')
    end
  end
end

-- The jid a put of `p` must reply with instead of writing, when another live
-- job holds its key (after applying on_conflict=replace); nil when the put
-- goes ahead. on_conflict=error raises.
function Unique.conflict(p, now)
  local u = p.unique
  if u == nil then return nil end
  local holder = Unique.holder(u.key, now)
  if holder == nil or holder == p.jid then return nil end
  if u.policy == 'error' then Unique.refuse(u.key, holder) end
  if u.policy == 'replace' then Unique.replace(holder, p, now) end
  return holder
end

-- The error of on_conflict=error (the client maps it to UniqueConflictError).
function Unique.refuse(key, holder)
  error('Put(): unique key "' .. key .. '" is held by job ' .. holder)
end
