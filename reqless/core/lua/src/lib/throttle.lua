-- Throttle procedures used by the job commands: availability, acquire at pop,
-- throttling a job, and release. A throttle's definition is read at most once
-- per script run (nothing in one run changes it), which keeps pop and complete
-- lean.
--
-- A throttle has a concurrency maximum (jobs holding a slot at once; 0 = no
-- limit), a rate window (at most `rate` starts in any `per` seconds), or both
-- (docs/concepts.md, Throttles). The window is a sliding log: the start times
-- within the last `per` seconds, one sorted-set entry per start, so a window
-- never admits more than `rate` starts (by the callers' clocks) and the log
-- holds at most `rate` entries; it expires `per` seconds after the last start.
-- Starts are logged at the log's clock (Throttle.clock), which never goes back,
-- so the bound holds on the logged times whatever order callers' calls arrive in.
-- A job held on a full window waits in the throttle's pending set, and its
-- queue keeps a timer (Keys.queue(queue, 'rated'): tid -> the time the window
-- next opens) that the queue's next pop at or after that time acts on, and that
-- a waiting worker of ours wakes for.
--
-- A throttle without a stored definition takes one from the template whose
-- pattern (`prefix*`) is the longest match of its id (Keys.THROTTLE_TEMPLATES),
-- so per-key throttles cost nothing until used and leave nothing when idle.
Throttle.cache = {}
Throttle.templates = nil

-- The longest-prefix template of `tid`, as {pattern, definition}, or nil.
local function templateOf(tid)
  local templates = Throttle.templates
  if templates == nil then
    templates = {}
    local flat = call('hgetall', Keys.THROTTLE_TEMPLATES)
    for i = 1, #flat, 2 do
      local ok, definition = pcall(decode, flat[i + 1])
      if ok and type(definition) == 'table' then
        templates[#templates + 1] = { flat[i], definition }
      end
    end
    Throttle.templates = templates
  end
  local best = nil
  for _, entry in ipairs(templates) do
    local prefix = string.sub(entry[1], 1, -2)
    if string.sub(tid, 1, #prefix) == prefix and (best == nil or #prefix > #best[1] - 1) then
      best = entry
    end
  end
  return best
end

local function storedNumber(tid, name, text)
  if text == false or text == nil then return 0 end
  local n = Args.number(text)
  if n == nil or n == math.huge or n == -math.huge then
    error('Throttle(): ' .. name .. ' of ' .. tid .. ' is not a number: ' .. tostring(text))
  end
  return n
end

-- The definition of throttle `tid`: {maximum, rate, per, template}; maximum and
-- rate 0 when unset (no limit). A queue's own throttle never takes a template.
function Throttle.definition(tid)
  local definition = Throttle.cache[tid]
  if definition == nil then
    local stored = call('hmget', Keys.throttle(tid), 'maximum', 'rate', 'per')
    definition = {
      maximum = storedNumber(tid, 'maximum', stored[1]),
      rate = storedNumber(tid, 'rate', stored[2]),
      per = storedNumber(tid, 'per', stored[3]),
    }
    if stored[1] == false and stored[2] == false and string.sub(tid, 1, 3) ~= 'ql:' then
      local template = templateOf(tid)
      if template then
        definition = {
          maximum = tonumber(template[2].maximum) or 0,
          rate = tonumber(template[2].rate) or 0,
          per = tonumber(template[2].per) or 0,
          template = template[1],
        }
      end
    end
    if definition.per <= 0 then definition.rate = 0 end
    Throttle.cache[tid] = definition
  end
  return definition
end

-- The numeric maximum of throttle `tid`; 0 (unlimited) when unset.
function Throttle.maximum(tid)
  return Throttle.definition(tid).maximum
end

-- The start of the window at `now`, excluded (a ZRANGEBYSCORE bound). Reads
-- only, so that throttle.get stays a read-only command; acquire trims the log.
local function windowStart(definition, now)
  return '(' .. string.format('%.6f', now - definition.per)
end

-- The log's clock at `now`: the caller's time, but never earlier than the
-- newest start logged. Callers' clocks differ and their calls arrive out of
-- order (a worker reads its clock a moment before its call runs): a late call
-- counting its window at its own, earlier time would miss the starts logged
-- after it, and a window would admit more than `rate`. Read once per call.
function Throttle.clock(tid, definition, now)
  local newest = definition.newest
  if newest == nil then
    local last = call('zrevrange', Keys.throttleStarts(tid), 0, 0, 'WITHSCORES')
    newest = tonumber(last[2]) or -math.huge
    definition.newest = newest
  end
  if newest > now then return newest end
  return now
end

-- Starts of rate throttle `tid` within its window at `now` (the log's clock).
function Throttle.used(tid, definition, now)
  local t = Throttle.clock(tid, definition, now)
  return call('zcount', Keys.throttleStarts(tid), windowStart(definition, t), '+inf')
end

-- When the window of `tid` (full at `now`) next admits a start: when its
-- oldest start in the window leaves it.
function Throttle.reopens(tid, definition, now)
  local t = Throttle.clock(tid, definition, now)
  local oldest = call('zrangebyscore', Keys.throttleStarts(tid), windowStart(definition, t),
    '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return (tonumber(oldest[2]) or t) + definition.per
end

-- Whether `tid` admits a start at `now`; when only its window stops it, also
-- the time the window next opens.
function Throttle.available(tid, now)
  local definition = Throttle.definition(tid)
  local maximum = definition.maximum
  if maximum ~= 0 and call('zcard', Keys.throttleLocks(tid)) >= maximum then return false end
  if definition.rate > 0 and now
    and Throttle.used(tid, definition, now) >= definition.rate then
    return false, Throttle.reopens(tid, definition, now)
  end
  return true
end

-- The first throttle of `tids` that does not admit a start, or nil; and, when
-- its rate window is what stops it, the time the window next opens.
function Throttle.firstUnavailable(tids, now)
  for _, tid in ipairs(tids) do
    local ok, reopens = Throttle.available(tid, now)
    if not ok then return tid, reopens end
  end
  return nil
end

-- Take a slot of every throttle in `tids` (all were checked available) and
-- log the start on those with a rate.
function Throttle.acquire(jid, tids, now)
  for _, tid in ipairs(tids) do
    call('zadd', Keys.throttleLocks(tid), 1, jid)
    local definition = Throttle.definition(tid)
    if definition.rate > 0 then
      -- Logged at the log's clock, so the log never goes back in time.
      local t = Throttle.clock(tid, definition, now)
      local starts = Keys.throttleStarts(tid)
      call('zremrangebyscore', starts, '-inf', t - definition.per)
      call('zadd', starts, t, string.format('%.6f', t) .. ' ' .. jid)
      call('pexpire', starts, math.ceil(definition.per * 1000))
      definition.newest = t
    end
  end
end

-- Hold job `jid` of `queue` back: pending on throttle `tid` and listed in the
-- queue's throttled set; the state and history change only on first throttling.
-- `reopens`: held on a full rate window, which opens again then (a timer of
-- the queue's, kept at the earliest time).
function Throttle.hold(jid, queue, tid, state, now, historyLimit, reopens)
  call('zadd', Keys.throttlePending(tid), now, jid)
  call('zadd', Keys.queue(queue, 'throttled'), now, jid)
  -- A worker of ours blocked on the queue wakes to learn the earlier time (as
  -- for a scheduled job); one whose pop held the job learns it from the reply.
  if reopens and call('zadd', Keys.queue(queue, 'rated'), 'LT', 'CH', reopens, tid) > 0 then
    Queue.wake(queue)
  end
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

-- Move a held job back to its queue's work set (or its group) at `now`; its state stays
-- `throttled` and it must acquire its throttles at the next pop. Only a job
-- still listed in its queue's throttled set moves: a stale pending entry (the
-- job was re-put, is running, or is gone) must not put a job into work twice.
-- Returns whether the job moved.
function Throttle.unhold(jid, now)
  local fields = call('hmget', Keys.job(jid), 'queue', 'priority', 'group', 'time')
  local queue = fields[1]
  if queue and call('zrem', Keys.queue(queue, 'throttled'), jid) == 1 then
    -- In its group a job keeps its place (its put time): the group waited for it.
    local t = now
    if fields[3] then t = tonumber(fields[4]) or now end
    Queue.makeReady(queue, jid, tonumber(fields[2]) or 0, t, fields[3] or nil)
    return true
  end
  return false
end

-- Act on the rate timers of `queue` due at `now`: each throttle whose window
-- has opened lets as many pending jobs back to their queues as it now admits
-- (and as its concurrency maximum leaves room for). A window still full (other
-- queues' pops used it first) sets its timer again.
function Throttle.reopenDue(queue, now)
  local timers = Keys.queue(queue, 'rated')
  local due = call('zrangebyscore', timers, '-inf', now)
  if #due == 0 then return end
  call('zrem', timers, unpack(due))
  for _, tid in ipairs(due) do
    local definition = Throttle.definition(tid)
    local room = 10
    if definition.rate > 0 then room = definition.rate - Throttle.used(tid, definition, now) end
    if definition.maximum ~= 0 then
      room = math.min(room, definition.maximum - call('zcard', Keys.throttleLocks(tid)))
    end
    local pendingKey = Keys.throttlePending(tid)
    if room < 1 then
      if definition.rate > 0 and call('exists', pendingKey) == 1 then
        call('zadd', timers, 'LT', Throttle.reopens(tid, definition, now), tid)
      end
    else
      local moved = 0
      while moved < room do
        local batch = call('zrange', pendingKey, 0, room - moved - 1)
        if #batch == 0 then break end
        -- A microsecond apart, so that they keep their order in work.
        for _, pending in ipairs(batch) do
          if Throttle.unhold(pending, now + moved * 1e-6) then moved = moved + 1 end
        end
        Args.chunked('zrem', pendingKey, batch)
      end
    end
  end
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
