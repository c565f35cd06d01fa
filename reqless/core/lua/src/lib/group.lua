-- Fair groups inside a queue (docs/concepts.md, Fair groups).
--
-- A job put with a group waits in its group's own sorted set (Keys.queueGroup,
-- scored like the work set) instead of the queue's work set. Only the first job
-- of each group, its head, sits in work, scored with the group's priority and
-- its turn: the time the group was last served (or its first job became ready).
-- A pop takes the best entries of work as always; taking a head gives the group
-- a new head whose turn is now, so it goes behind every group (and every job
-- without a group) that has waited longer: groups of equal priority are served
-- in turn however many jobs each holds, and priorities stay strict. A weight w
-- lets a group take w jobs per turn.
--
-- A head that a pop holds back on a throttle parks its group (no head in work)
-- until the throttle lets it go: the group's other jobs cannot start before it,
-- and one group at its limit costs the pop one look, whatever its depth.
--
-- Keys of a queue with groups (all absent when no group has waiting jobs, but
-- the weights): -groups (zset group -> turn), -group-heads (hash group -> jid
-- in work), -group-parked (hash group -> held jid), -grouped (count of jobs in
-- the groups' sets), -group-weights (hash group -> weight), -group-served
-- (hash group -> jobs taken in the current turn, weighted groups only).

Group.MAX_WEIGHT = 1000

-- Per call: groups whose turn ended so far (reset by the dispatcher).
Group.served = 0

local function key(queue, kind) return Keys.queue(queue, kind) end

-- Keep the -grouped count (for queue.counts) in step with the groups' sets.
local function count(queue, delta)
  local counter = key(queue, 'grouped')
  if call('incrby', counter, delta) <= 0 then call('del', counter) end
end

-- Make the job in work for `group` the first of its set (none while parked), at
-- turn `turn`; `rescore` also re-scores an unchanged head (its priority moved).
local function settle(queue, group, turn, rescore)
  local heads = key(queue, 'group-heads')
  local head = call('hget', heads, group)
  local parked = call('hexists', key(queue, 'group-parked'), group) == 1
  local top = false
  if not parked then top = call('zrevrange', Keys.queueGroup(queue, group), 0, 0)[1] or false end
  local work = key(queue, 'work')
  if top ~= head or rescore then
    if head and head ~= top then call('zrem', work, head) end
    if top then
      local priority = tonumber(call('hget', Keys.job(top), 'priority')) or 0
      call('zadd', work, Queue.score(priority, turn), top)
      call('hset', heads, group, top)
    else
      call('hdel', heads, group)
    end
  end
  if top or parked then
    call('zadd', key(queue, 'groups'), turn, group)
  else
    call('zrem', key(queue, 'groups'), group)
    call('hdel', key(queue, 'group-served'), group)
  end
end

-- The group's current turn; `default` for a group with no waiting job.
local function turnOf(queue, group, default)
  return tonumber(call('zscore', key(queue, 'groups'), group)) or default
end

-- Job `jid` of `group` becomes ready (put, released by a throttle, promoted...).
-- A job coming back from a hold that parked its group unparks it.
function Group.add(queue, group, jid, priority, t)
  local turn = turnOf(queue, group, t)
  if call('zadd', Keys.queueGroup(queue, group), Queue.score(priority, t), jid) == 1 then
    count(queue, 1)
  end
  local parked = key(queue, 'group-parked')
  if call('hget', parked, group) == jid then call('hdel', parked, group) end
  settle(queue, group, turn)
end

-- Job `jid` of `group` leaves waiting other than by a pop (cancel, a put that
-- moves it, a changed unique job...): its group gets its next head in its turn.
function Group.remove(queue, group, jid)
  local changed = call('zrem', Keys.queueGroup(queue, group), jid) == 1
  if changed then count(queue, -1) end
  local parked = key(queue, 'group-parked')
  if call('hget', parked, group) == jid then
    call('hdel', parked, group)
    changed = true
  end
  if changed then settle(queue, group, turnOf(queue, group, 0)) end
end

-- A pop took head `jid` of `group`: handed out (the group's turn ends, or goes
-- on while a weighted group has jobs left in it), or held on a throttle
-- (`held`: the group parks, keeping its turn, until the job comes back).
function Group.take(queue, group, jid, held, now)
  -- A job of a group that was not waiting in it (one handed back by
  -- job.timeout, popped from work at once) leaves the group as it is.
  if call('zrem', Keys.queueGroup(queue, group), jid) == 0 then return end
  count(queue, -1)
  local turn = turnOf(queue, group, now)
  if held then
    call('hset', key(queue, 'group-parked'), group, jid)
  else
    local weight = tonumber(call('hget', key(queue, 'group-weights'), group)) or 1
    local served = 1
    if weight > 1 then served = call('hincrby', key(queue, 'group-served'), group, 1) end
    if served >= weight then
      if weight > 1 then call('hdel', key(queue, 'group-served'), group) end
      -- Groups served in one call take turns in the order they were served.
      Group.served = Group.served + 1
      turn = now + Group.served * 1e-6
    end
  end
  settle(queue, group, turn)
end

-- A waiting job of `group` changed priority: re-score it in its group's set
-- (its own put time kept) and, when it is or becomes the head, in work.
function Group.reprioritize(queue, group, jid, priority, t)
  local set = Keys.queueGroup(queue, group)
  if call('zscore', set, jid) == false then return end
  call('zadd', set, Queue.score(priority, t), jid)
  settle(queue, group, turnOf(queue, group, t), true)
end

-- Waiting jobs of a queue's groups that are not in its work set (all but the
-- heads), for queue.counts and queue.length.
function Group.hidden(queue)
  local total = tonumber(call('get', key(queue, 'grouped'))) or 0
  if total == 0 then return 0 end
  return total - call('hlen', key(queue, 'group-heads'))
end

-- Validate a group name: what put accepts for its `group` option.
function Group.parseName(value)
  if value == '' or #value > 256 or string.find(value, '%c') then
    error('Put(): Arg "group" must be 1 to 256 bytes without control characters: '
      .. tostring(value))
  end
  return value
end

-- Validate a weight: a whole number from 1 to Group.MAX_WEIGHT.
function Group.parseWeight(value)
  local n = Args.number(value)
  if n == nil or n < 1 or n > Group.MAX_WEIGHT or n ~= floor(n) then
    error('Group(): Arg "weight" must be a whole number from 1 to ' .. Group.MAX_WEIGHT
      .. ': ' .. tostring(value))
  end
  return n
end

-- The groups of `queue` with waiting jobs, in serving order (earliest turn first):
-- objects {group, waiting, weight, turn, parked (the jid of the job its group
-- waits on, held back by a throttle, or false)}.
function Group.list(queue, offset, limit)
  local out = {}
  local entries = call('zrange', key(queue, 'groups'), offset, offset + limit - 1, 'WITHSCORES')
  local parked = key(queue, 'group-parked')
  local weights = key(queue, 'group-weights')
  for i = 1, #entries, 2 do
    local group = entries[i]
    local held = call('hget', parked, group)
    out[#out + 1] = {
      group = group,
      waiting = call('zcard', Keys.queueGroup(queue, group)),
      weight = tonumber(call('hget', weights, group)) or 1,
      turn = tonumber(entries[i + 1]),
      parked = held or false,
    }
  end
  return out
end
