-- Batches (docs/following-jobs.md, Batches): jobs put with `batch <id>` are
-- counted in the batch's hash as they finish for good (complete, failed,
-- canceled). The call that finishes the last job of a closed batch, or the
-- batch.close that finds none left, puts the callback jobs: on_success when
-- every job completed, on_complete always. Both happen inside that one atomic
-- call and the batch is marked finished in it, so each callback is put exactly
-- once whatever the workers do.
--
-- Keys: ql:b:<id> (hash: state open|closed|finished, total, pending, complete,
-- failed, canceled, created, finished, on_success, on_complete), ql:b:<id>-jobs
-- (set of jids), ql:b:<id>-canceled (set of the jids canceled: a canceled job
-- is deleted) and ql:batches (zset id -> created). A finished batch's keys
-- expire after `jobs-history` seconds, with its completed jobs.

Batch.COUNTERS = { complete = 'complete', failed = 'failed', canceled = 'canceled' }

-- Parse a callback: JSON {klass, queue, data (JSON object text or object),
-- priority?}; returns its canonical JSON text. `name` is the option's name.
function Batch.parseCallback(name, text)
  local ok, value = pcall(decode, text)
  if not ok or type(value) ~= 'table' then
    error('Batch(): Arg "' .. name .. '" not a JSON object: ' .. tostring(text))
  end
  if type(value.klass) ~= 'string' or value.klass == '' then
    error('Batch(): Arg "' .. name .. '" needs a class name (klass)')
  end
  if type(value.queue) ~= 'string' or value.queue == '' then
    error('Batch(): Arg "' .. name .. '" needs a queue')
  end
  local data = value.data
  if data == nil then data = {} end
  if type(data) == 'string' then
    local parsed, decoded = pcall(decode, data)
    if not parsed or type(decoded) ~= 'table' then
      error('Batch(): Arg "' .. name .. '" data must be a JSON object')
    end
    data = decoded
  end
  if type(data) ~= 'table' or #data > 0 then
    error('Batch(): Arg "' .. name .. '" data must be a JSON object')
  end
  local priority = value.priority
  if priority ~= nil and (type(priority) ~= 'number' or priority ~= priority
    or priority == math.huge or priority == -math.huge) then
    error('Batch(): Arg "' .. name .. '" priority must be a finite number')
  end
  return encode({ klass = value.klass, queue = value.queue, data = data, priority = priority })
end

-- Validate a batch id: what batch.open and put's `batch` option accept.
function Batch.parseId(who, value)
  if value == nil or value == '' or #value > 256 or string.find(value, '%c') then
    error(who .. ': Arg "batch" must be 1 to 256 bytes without control characters: '
      .. tostring(value))
  end
  return value
end

-- The state of batch `bid` (open, closed, finished), or nil when unknown.
function Batch.state(bid)
  local state = call('hget', Keys.batch(bid), 'state')
  if state == false then return nil end
  return state
end

-- Job `jid` joins open batch `bid` (put with `batch`); a job already in it
-- (a re-put) is not counted twice, and one that had finished counts as
-- pending again. `oldState` is its state before the put; a member canceled
-- before (deleted, so without a state) is found in the canceled set.
function Batch.join(bid, jid, oldState)
  local key = Keys.batch(bid)
  if call('sadd', Keys.batchJobs(bid), jid) == 1 then
    call('hincrby', key, 'total', 1)
    call('hincrby', key, 'pending', 1)
  elseif oldState == nil and call('srem', Keys.batchCanceled(bid), jid) == 1 then
    Batch.reopened(bid, 'canceled')
  else
    Batch.reopened(bid, oldState)
  end
end

-- A finished member of `bid` runs again (re-put, unfail): it is pending again,
-- unless the batch already finished (its callbacks are history).
function Batch.reopened(bid, oldState)
  local counter = Batch.COUNTERS[oldState or '']
  if counter == nil then return end
  local key = Keys.batch(bid)
  if call('hget', key, 'state') == 'finished' then return end
  call('hincrby', key, counter, -1)
  call('hincrby', key, 'pending', 1)
end

-- A member of `bid` finished for good in `state` (complete, failed, canceled).
function Batch.finished(bid, jid, state, now)
  local key = Keys.batch(bid)
  local current = call('hget', key, 'state')
  if current == false or current == 'finished' then return end
  call('hincrby', key, Batch.COUNTERS[state], 1)
  if state == 'canceled' then call('sadd', Keys.batchCanceled(bid), jid) end
  local pending = call('hincrby', key, 'pending', -1)
  if current == 'closed' and pending <= 0 then Batch.fire(bid, now) end
end

-- Close batch `bid` (no more jobs join it); fires at once when none is pending.
function Batch.close(bid, now)
  local key = Keys.batch(bid)
  call('hset', key, 'state', 'closed')
  if (tonumber(call('hget', key, 'pending')) or 0) <= 0 then Batch.fire(bid, now) end
end

-- Put the callbacks of `bid` and mark it finished; its keys then expire.
function Batch.fire(bid, now)
  local key = Keys.batch(bid)
  local fields = call('hmget', key, 'total', 'complete', 'failed', 'canceled', 'on_success',
    'on_complete')
  local counts = {
    id = bid,
    total = tonumber(fields[1]) or 0,
    complete = tonumber(fields[2]) or 0,
    failed = tonumber(fields[3]) or 0,
    canceled = tonumber(fields[4]) or 0,
  }
  call('hset', key, 'state', 'finished', 'finished', now)
  local put = {}
  if fields[5] and counts.complete == counts.total then put.success = fields[5] end
  if fields[6] then put.complete = fields[6] end
  for _, kind in ipairs({ 'success', 'complete' }) do
    local text = put[kind]
    if text then
      local callback = decode(text)
      local data = callback.data
      if type(data) ~= 'table' or next(data) == nil then data = {} end
      data.batch = counts
      local args = { '', callback.queue, bid .. '-' .. kind, callback.klass, encode(data), 0 }
      if callback.priority then
        args[#args + 1] = 'priority'
        args[#args + 1] = callback.priority
      end
      Commands['queue.put'](now, args)
    end
  end
  local age = Config.getNumber('jobs-history')
  if age > 0 then
    local ms = math.ceil(age * 1000)
    call('pexpire', key, ms)
    call('pexpire', Keys.batchJobs(bid), ms)
    call('pexpire', Keys.batchCanceled(bid), ms)
  end
end

-- The batch object of `bid`, or nil.
function Batch.describe(bid)
  local fields = call('hmget', Keys.batch(bid), 'state', 'total', 'pending', 'complete', 'failed',
    'canceled', 'created', 'finished', 'on_success', 'on_complete')
  if fields[1] == false then return nil end
  local function callback(text)
    if not text then return false end
    local ok, value = pcall(decode, text)
    if ok then return value end
    return false
  end
  return {
    id = bid,
    state = fields[1],
    total = tonumber(fields[2]) or 0,
    pending = tonumber(fields[3]) or 0,
    complete = tonumber(fields[4]) or 0,
    failed = tonumber(fields[5]) or 0,
    canceled = tonumber(fields[6]) or 0,
    created = tonumber(fields[7]) or 0,
    finished = tonumber(fields[8]) or false,
    on_success = callback(fields[9]),
    on_complete = callback(fields[10]),
  }
end
