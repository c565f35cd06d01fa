-- Throttle commands (docs/core-commands.md, throttle.set): set, get, delete, locks,
-- pending, release, and the queue-throttle shortcuts.

-- A maximum must be a non-negative integer (0 = unlimited). The original
-- stored any text, which then made every pop consulting the throttle fail,
-- and a fractional maximum let a job be held while a release never found a
-- whole free slot to move it back. Returns the text exactly as given.
local function parseMaximum(value)
  local n = Args.number(value)
  if n == nil or n < 0 or n ~= floor(n) or n == math.huge then
    error('Throttle(): Arg "maximum" missing or not a non-negative integer: ' .. tostring(value))
  end
  return value
end

-- Write the definition of throttle `tid`. An expiration > 0 sets the hash's
-- TTL (in milliseconds, so fractional seconds are honoured); otherwise an
-- existing TTL is kept, because HSET does not clear it.
local function setThrottle(tid, maximum, expiration)
  local key = Keys.throttle(tid)
  call('hset', key, 'id', tid, 'maximum', maximum)
  if expiration > 0 then
    call('pexpire', key, string.format('%d', math.ceil(expiration * 1000)))
  end
end

-- The throttle object: the requested id, the stored maximum read now (0 when
-- absent; omitted when the stored text is not a finite number, which only
-- another client can write) and exactly the Redis TTL of the hash.
local function describe(tid)
  local key = Keys.throttle(tid)
  local text = call('hget', key, 'maximum')
  local maximum = 0
  if text then
    maximum = Args.number(text)
    if maximum == math.huge or maximum == -math.huge then maximum = nil end
  end
  return encode({ id = tid, maximum = maximum, ttl = call('ttl', key) })
end

-- throttle.set
--
-- Arguments: tid, maximum [, expiration]
-- Reply: nil.
-- Errors: Throttle(): no tid provided;
--   Throttle(): Arg "maximum" missing or not a non-negative integer: <v>;
--   Throttle(): Arg "expiration" not a number: <v> (also for infinities and
--   values above 9e12 seconds, about 285,000 years, which would overflow the
--   server's millisecond clock)
-- Keys: ql:th:<tid> (fields id and maximum; TTL when expiration > 0).
Commands['throttle.set'] = function(now, args)
  local tid = Args.require(args[1], 'Throttle(): no tid provided')
  local maximum = parseMaximum(args[2])
  local message = 'Throttle(): Arg "expiration" not a number: '
  local expiration = Args.optionalNumber(args[3], 0, message)
  if expiration > 9e12 or expiration == -math.huge then error(message .. args[3]) end
  setThrottle(tid, maximum, expiration)
  return nil
end

-- throttle.get
--
-- Arguments: tid
-- Reply: JSON {"id": tid, "maximum": n, "ttl": seconds | -1 | -2}.
-- Errors: Throttle(): no tid provided
-- Writes: none
Commands['throttle.get'] = function(now, args)
  return describe(Args.require(args[1], 'Throttle(): no tid provided'))
end

-- throttle.delete
--
-- Arguments: tid
-- Reply: nil. The locks and pending sets are kept.
-- Errors: Throttle(): no tid provided
-- Keys: ql:th:<tid>
Commands['throttle.delete'] = function(now, args)
  call('del', Keys.throttle(Args.require(args[1], 'Throttle(): no tid provided')))
  return nil
end

-- throttle.locks / throttle.pending
--
-- Arguments: tid
-- Reply: JSON array of jids (locks by jid, pending by waiting time), `[]`
--   when empty.
-- Errors: Throttle(): no tid provided
-- Writes: none
Commands['throttle.locks'] = function(now, args)
  local tid = Args.require(args[1], 'Throttle(): no tid provided')
  return Json.list(call('zrange', Keys.throttleLocks(tid), 0, -1))
end

Commands['throttle.pending'] = function(now, args)
  local tid = Args.require(args[1], 'Throttle(): no tid provided')
  return Json.list(call('zrange', Keys.throttlePending(tid), 0, -1))
end

-- throttle.release
--
-- Arguments: tid, jid... (zero or more)
-- Reply: nil.
-- Errors: Throttle(): no tid provided; Throttle(): maximum of <tid> is not a
--   number: <v> (a stored maximum written by another client; checked first)
-- Keys: the throttle's locks and pending sets; for jobs moved back: their
--   queue's throttled and work sets.
--
-- Each jid is released in argument order (docs/concepts.md, Throttles). Unlike the original, a jid
-- released from the pending set while no slot is free is moved back to its
-- queue's work set (state still `throttled`) instead of being left in the
-- throttled set forever; it competes again, and is re-checked, at the next pop.
Commands['throttle.release'] = function(now, args)
  local tid = Args.require(args[1], 'Throttle(): no tid provided')
  if #args < 2 then return nil end
  Throttle.maximum(tid)
  local locks, pending = Keys.throttleLocks(tid), Keys.throttlePending(tid)
  for i = 2, #args do
    local jid = args[i]
    local waiting = call('zscore', locks, jid) == false and call('zscore', pending, jid) ~= false
    Throttle.release(jid, tid, now)
    if waiting then Throttle.unhold(jid, now) end
  end
  return nil
end

-- queue.throttle.get
--
-- Arguments: queue
-- Reply: exactly throttle.get ql:q:<queue>.
-- Errors: Throttle(): Arg "queue" missing
-- Writes: none
Commands['queue.throttle.get'] = function(now, args)
  local queue = Args.require(args[1], 'Throttle(): Arg "queue" missing')
  return describe(Keys.queueThrottleId(queue))
end

-- queue.throttle.set
--
-- Arguments: queue, maximum
-- Reply: nil. Exactly throttle.set ql:q:<queue> maximum (an existing TTL is kept).
-- Errors: Throttle(): Arg "queue" missing;
--   Throttle(): Arg "maximum" missing or not a non-negative integer: <v>
-- Keys: ql:th:ql:q:<queue>
Commands['queue.throttle.set'] = function(now, args)
  local queue = Args.require(args[1], 'Throttle(): Arg "queue" missing')
  setThrottle(Keys.queueThrottleId(queue), parseMaximum(args[2]), 0)
  return nil
end
