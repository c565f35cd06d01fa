-- Throttle procedures used by the job commands: availability, acquire at pop,
-- throttling a job, and release. A throttle's maximum is read at most once per
-- script run (nothing in one run changes it), which keeps pop and complete lean.
Throttle.cache = {}

-- The numeric maximum of throttle `tid`; 0 (unlimited) when unset.
function Throttle.maximum(tid)
  local maximum = Throttle.cache[tid]
  if maximum == nil then
    local text = call('hget', Keys.throttle(tid), 'maximum')
    if text == false then
      maximum = 0
    else
      maximum = Args.number(text)
      if maximum == nil or maximum == math.huge or maximum == -math.huge then
        error('Throttle(): maximum of ' .. tid .. ' is not a number: ' .. text)
      end
    end
    Throttle.cache[tid] = maximum
  end
  return maximum
end

function Throttle.available(tid)
  local maximum = Throttle.maximum(tid)
  return maximum == 0 or call('zcard', Keys.throttleLocks(tid)) < maximum
end

-- The first throttle of `tids` that is not available, or nil.
function Throttle.firstUnavailable(tids)
  for _, tid in ipairs(tids) do
    if not Throttle.available(tid) then return tid end
  end
  return nil
end

-- Take a slot of every throttle in `tids` (all were checked available).
function Throttle.acquire(jid, tids)
  for _, tid in ipairs(tids) do
    call('zadd', Keys.throttleLocks(tid), 1, jid)
  end
end

-- Hold job `jid` of `queue` back: pending on throttle `tid` and listed in the
-- queue's throttled set; the state and history change only on first throttling.
function Throttle.hold(jid, queue, tid, state, now, historyLimit)
  call('zadd', Keys.throttlePending(tid), now, jid)
  call('zadd', Keys.queue(queue, 'throttled'), now, jid)
  if state ~= 'throttled' then
    call('hset', Keys.job(jid), 'state', 'throttled')
    History.append(jid, floor(now), 'throttled', { queue = queue }, historyLimit)
  end
end

-- Release `jid` from throttle `tid`, then move as many pending jobs back to
-- their queue's work set as there are free slots (10 at a time when unlimited).
-- Pending jids whose job no longer exists, or that are no longer held in their
-- queue's throttled set, leave the pending set without entering work and
-- without using up a free slot.
function Throttle.release(jid, tid, now)
  local locks = Keys.throttleLocks(tid)
  local pendingKey = Keys.throttlePending(tid)
  if call('zrem', locks, jid) == 0 then call('zrem', pendingKey, jid) end
  local maximum = Throttle.maximum(tid)
  local free = 10
  if maximum ~= 0 then free = floor(maximum - call('zcard', locks)) end
  if free < 1 then return end
  local moved = 0
  while moved < free do
    local batch = call('zrange', pendingKey, 0, free - moved - 1)
    if #batch == 0 then return end
    for _, pending in ipairs(batch) do
      if Throttle.unhold(pending, now) then moved = moved + 1 end
    end
    Args.chunked('zrem', pendingKey, batch)
  end
end

-- Move a held job back to its queue's work set at `now`; its state stays
-- `throttled` and it must acquire its throttles at the next pop. Only a job
-- still listed in its queue's throttled set moves: a stale pending entry (the
-- job was re-put, is running, or is gone) must not put a job into work twice.
-- Returns whether the job moved.
function Throttle.unhold(jid, now)
  local fields = call('hmget', Keys.job(jid), 'queue', 'priority')
  local queue = fields[1]
  if queue and call('zrem', Keys.queue(queue, 'throttled'), jid) == 1 then
    Queue.makeReady(queue, jid, tonumber(fields[2]) or 0, now)
    return true
  end
  return false
end

-- The throttles of `old` (a job's stored list) that `new` leaves out and on
-- which job `jid` holds a slot. A re-put job keeps its slots as specified, but
-- one on a throttle its new list no longer names would never be freed: its
-- complete and cancel release only the throttles of the list. Their maxima are
-- read now, before the caller writes (Throttle.checked).
function Throttle.dropped(jid, old, new)
  local kept, out = {}, {}
  for _, tid in ipairs(new) do kept[tid] = true end
  for _, tid in ipairs(Throttle.decode(old)) do
    if not kept[tid] and call('zscore', Keys.throttleLocks(tid), jid) then
      kept[tid] = true
      Throttle.maximum(tid)
      table.insert(out, tid)
    end
  end
  return out
end

-- Release every throttle of a job's list, in order.
function Throttle.releaseAll(jid, tids, now)
  for _, tid in ipairs(tids) do Throttle.release(jid, tid, now) end
end

-- Drop entries equal to `id`. Like the original, the entry right after each
-- removed one is not looked at, so of two adjacent copies one stays.
function Throttle.without(tids, id)
  local out, skip = {}, false
  for _, tid in ipairs(tids) do
    if skip then
      table.insert(out, tid)
      skip = false
    elseif tid == id then
      skip = true
    else
      table.insert(out, tid)
    end
  end
  return out
end

-- Decode a job's `throttles` field and read every maximum now, so that a bad
-- stored maximum fails the command during validation rather than half-way
-- through its writes (the maxima are cached for the release that follows).
function Throttle.checked(text)
  local tids = Throttle.decode(text)
  for _, tid in ipairs(tids) do Throttle.maximum(tid) end
  return tids
end

-- Decode a stored `throttles` field; absent or malformed gives an empty list.
function Throttle.decode(text)
  if not text then return {} end
  local ok, tids = pcall(decode, text)
  if ok and type(tids) == 'table' then return tids end
  return {}
end
