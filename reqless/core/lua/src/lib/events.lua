-- Pubsub payloads. Consumers may compare payloads byte for byte, so they are
-- built by hand in the contract's key order rather than by cjson (whose key
-- order is unspecified); values still go through cjson for escaping.
function Events.publish(name, payload)
  call(Keys.PUBLISH, Keys.channel(name), payload)
end

function Events.put(jid, queue)
  Events.publish('log', '{"jid":' .. encode(jid) .. ',"event":"put","queue":' .. encode(queue) .. '}')
end

-- Sent to the worker's own channel first, then to the log.
function Events.lockLost(jid, worker)
  local payload = '{"jid":' .. encode(jid) .. ',"event":"lock_lost","worker":' .. encode(worker) .. '}'
  call(Keys.PUBLISH, Keys.workerChannel(worker), payload)
  Events.publish('log', payload)
end

-- `queue` and `worker` are false for a job that does not exist.
function Events.canceled(jid, queue, worker)
  return '{"jid":' .. encode(jid) .. ',"queue":' .. encode(queue)
    .. ',"event":"canceled","worker":' .. encode(worker) .. '}'
end

function Events.completed(jid, queue)
  Events.publish('log', '{"jid":' .. encode(jid) .. ',"event":"completed","queue":' .. encode(queue) .. '}')
end

function Events.advanced(jid, queue, nextQueue)
  Events.publish('log', '{"jid":' .. encode(jid) .. ',"to":' .. encode(nextQueue)
    .. ',"event":"advanced","queue":' .. encode(queue) .. '}')
end

function Events.failed(jid, group, message, worker)
  Events.publish('log', '{"message":' .. encode(message) .. ',"jid":' .. encode(jid)
    .. ',"group":' .. encode(group) .. ',"event":"failed","worker":' .. encode(worker) .. '}')
end

-- The bare-jid notification sent on `ql:<name>` for tracked jobs.
function Events.tracked(name, jid, isTracked)
  if isTracked then call(Keys.PUBLISH, Keys.channel(name), jid) end
end

function Events.isTracked(jid)
  return call('zscore', Keys.TRACKED, jid) ~= false
end
