-- Job records: reading, the job JSON object, deletion, dependencies and
-- failure lists.

-- Every field the job object needs (plus `history`, the legacy history field).
Job.FIELDS = {
  'jid', 'klass', 'state', 'queue', 'worker', 'priority', 'expires', 'retries',
  'remaining', 'data', 'tags', 'failure', 'throttles', 'spawned_from_jid', 'history',
  'unique', 'unique_until', 'unique_expires', 'group', 'progress', 'result', 'trace', 'batch',
}

-- Bytes a completed job's result may hold unless `max-result-size` says otherwise.
Job.RESULT_LIMIT = 524288

-- How long a finished job's wake tokens wait for a waiter that has not yet
-- blocked (ms); a waiter blocks right after job.wait, so this is generous.
local DONE_TTL_MS = 60000

-- Read `names` of job `jid` into a table; nil when none of them is set (the job
-- does not exist).
function Job.read(jid, names)
  local values = call('hmget', Keys.job(jid), unpack(names or Job.FIELDS))
  local record, found = {}, false
  for i, name in ipairs(names or Job.FIELDS) do
    if values[i] ~= false then
      record[name] = values[i]
      found = true
    end
  end
  if found then return record end
  return nil
end

-- Move a legacy `history` field into the history list (needs `history` read).
function Job.migrate(jid, record)
  if record.history then
    History.migrate(jid, record.history)
    record.history = nil
  end
end

local function decodeObject(text)
  if not text then return {} end
  local ok, value = pcall(decode, text)
  if ok and type(value) == 'table' then return value end
  return {}
end

-- The job object (docs/concepts.md, Jobs) from a record holding Job.FIELDS. A `lean`
-- object (for our own worker's pops) leaves out history, dependents and
-- dependencies: three reads and most of the reply's bytes, which the client
-- fetches only when asked.
function Job.toObject(jid, record, tracked, lean)
  Job.migrate(jid, record)
  if tracked == nil then tracked = Events.isTracked(jid) end
  -- Stored numbers go through finiteOrNil: an infinity written by another
  -- client would make the whole reply unencodable after the command wrote.
  local finite = Args.finiteOrNil
  local remaining = finite(record.remaining)
  if remaining then remaining = floor(remaining) end
  local object = {
    jid = record.jid or jid,
    klass = record.klass,
    state = record.state,
    queue = record.queue,
    worker = record.worker or '',
    tracked = tracked,
    priority = finite(record.priority) or 0,
    expires = finite(record.expires) or 0,
    retries = finite(record.retries),
    remaining = remaining,
    data = record.data,
    tags = Tags.decode(record.tags),
    failure = decodeObject(record.failure),
    throttles = Throttle.decode(record.throttles),
    spawned_from_jid = record.spawned_from_jid or false,
  }
  if record.unique then Unique.describe(object, record) end
  -- Only a job put with a group has the field (docs/concepts.md, Fair groups).
  if record.group then object.group = record.group end
  -- Likewise the fields of a followed job (docs/following-jobs.md).
  if record.progress then object.progress = decodeObject(record.progress) end
  if record.result then
    local ok, value = pcall(decode, record.result)
    if ok then object.result = value end
  end
  if record.trace then object.trace = record.trace end
  if record.batch then object.batch = record.batch end
  if not lean then
    object.history = History.read(jid)
    object.dependents = call('smembers', Keys.dependents(jid))
    object.dependencies = call('smembers', Keys.dependencies(jid))
  end
  return object
end

-- Job `jid` finished for good (`state`: complete, failed or canceled): wake its
-- waiters (job.wait) with the state and count it in its batch. `record` holds
-- its `waiters` and `batch` fields (absent on most jobs).
function Job.finished(jid, record, state, now)
  local waiters = tonumber(record.waiters)
  if waiters and waiters > 0 then
    local done = Keys.jobDone(jid)
    local tokens = {}
    for i = 1, math.min(waiters, 10000) do tokens[i] = state end
    call('rpush', done, unpack(tokens))
    call('pexpire', done, DONE_TTL_MS)
    if state ~= 'canceled' then call('hdel', Keys.job(jid), 'waiters') end
  end
  if record.batch then Batch.finished(record.batch, jid, state, now) end
end

-- The job object of `jid`, or nil.
function Job.get(jid)
  local record = Job.read(jid)
  if record == nil then return nil end
  return Job.toObject(jid, record)
end

-- Job objects for `jids`, skipping those that do not exist.
function Job.getMany(jids)
  local out = {}
  for _, jid in ipairs(jids) do
    local object = Job.get(jid)
    if object then table.insert(out, object) end
  end
  return out
end

-- Delete a job (docs/core-commands.md, job.cancel): its tags leave the indexes; the record, its
-- history and its dependency set go. Its dependents set is kept on purpose:
-- a completed job that expires still releases its dependents afterwards.
function Job.delete(jid, tagsText)
  for _, tag in ipairs(Tags.decode(tagsText)) do Tags.unindex(jid, tag) end
  call('del', Keys.job(jid), Keys.history(jid), Keys.dependencies(jid))
end

-- Make `jid` wait for each of `deps` that exists and is not complete; returns
-- how many links were made.
function Job.link(jid, deps)
  local linked = 0
  for _, dep in ipairs(deps) do
    local state = call('hget', Keys.job(dep), 'state')
    if state and state ~= 'complete' then
      call('sadd', Keys.dependents(dep), jid)
      call('sadd', Keys.dependencies(jid), dep)
      linked = linked + 1
    end
  end
  return linked
end

-- In a namespace, every dependency must be a job the namespace knows: a jid of
-- another namespace is otherwise taken as long finished (as the shared layout
-- takes any unknown jid) and the job would not wait for it. Refused before any
-- write (docs/core-decisions.md, "Dependencies in a namespace").
function Job.requireKnown(deps, where)
  if not Keys.NAMESPACED then return end
  for _, dep in ipairs(deps) do
    if call('exists', Keys.job(dep)) == 0 then
      error(where .. ': Arg "depends" names ' .. dep .. ', which is not a job of this '
        .. 'namespace (a job can depend only on jobs of its own namespace, and a '
        .. 'finished job is known until it expires)')
    end
  end
end

-- Remove the dependency of `jid` on `dep` in both directions.
function Job.unlink(jid, dep)
  call('srem', Keys.dependents(dep), jid)
  call('srem', Keys.dependencies(jid), dep)
end

-- Move a job out of its queue's depends set into work (or its scheduled time).
function Job.undepend(jid, queue, priority, scheduled, now, group)
  call('zrem', Keys.queue(queue, 'depends'), jid)
  if scheduled then
    Queue.schedule(queue, jid, scheduled)
    call('hset', Keys.job(jid), 'state', 'scheduled')
    call('hdel', Keys.job(jid), 'scheduled')
  else
    Queue.makeReady(queue, jid, priority, now, group)
    call('hset', Keys.job(jid), 'state', 'waiting')
  end
end

-- Job `jid` completed for good: every job waiting on it loses that dependency,
-- and those left with none become ready (docs/concepts.md, Dependencies).
function Job.releaseDependents(jid, now)
  local key = Keys.dependents(jid)
  local dependents = call('smembers', key)
  if #dependents == 0 then return end
  for _, dependent in ipairs(dependents) do
    call('srem', Keys.dependencies(dependent), jid)
    if call('scard', Keys.dependencies(dependent)) == 0 then
      local fields = call('hmget', Keys.job(dependent), 'queue', 'priority', 'scheduled', 'group')
      if fields[1] then
        Job.undepend(dependent, fields[1], tonumber(fields[2]) or 0, tonumber(fields[3]), now,
          fields[4] or nil)
      end
    end
  end
  call('del', key)
end

-- Add `jid` to failure group `group` (newest at the head).
function Job.listFailure(jid, group)
  call('sadd', Keys.FAILURES, group)
  call('lpush', Keys.failureGroup(group), jid)
end

-- Remove `jid` from failure group `group`, dropping the group when it empties.
function Job.unlistFailure(jid, group)
  local key = Keys.failureGroup(group)
  call('lrem', key, 0, jid)
  if call('llen', key) == 0 then call('srem', Keys.FAILURES, group) end
end

-- The failure object text for a failure now.
function Job.failure(group, message, when, worker)
  return encode({ group = group, message = message, when = when, worker = worker })
end

-- Decode a stored failure; nil when absent or malformed.
function Job.decodeFailure(text)
  if not text then return nil end
  local ok, failure = pcall(decode, text)
  if ok and type(failure) == 'table' then return failure end
  return nil
end
