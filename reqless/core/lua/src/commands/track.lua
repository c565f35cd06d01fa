-- Tracking (docs/concepts.md, Tags and tracking): tracked jids live in ql:tracked (score = now of
-- the last job.track); tracked jobs get extra bare-jid notifications.

-- The jid of an existing job (args[1]), or the Track() errors.
local function trackedJid(args)
  local jid = Args.require(args[1], 'Track(): Arg "jid" missing')
  if call('exists', Keys.job(jid)) == 0 then error('Track(): Job does not exist') end
  return jid
end

-- job.track
--
-- Arguments: jid
-- Reply: bulk string `1` if the jid was not tracked yet, else `0`.
-- Errors: Track(): Arg "jid" missing; Track(): Job does not exist
-- Events: the bare jid on ql:track (every call).
-- Keys: ql:tracked.
Commands['job.track'] = function(now, args)
  local jid = trackedJid(args)
  Events.publish('track', jid)
  return encode(call('zadd', Keys.TRACKED, now, jid))
end

-- job.untrack
--
-- Arguments: jid
-- Reply: bulk string `1` if the jid was tracked, else `0`.
-- Errors: Track(): Arg "jid" missing; Track(): Job does not exist (unless the
--   jid is still tracked: the original refused to untrack a tracked job that had
--   been cancelled or expired, so it stayed listed as expired for ever)
-- Events: the bare jid on ql:untrack (every call).
-- Keys: ql:tracked.
Commands['job.untrack'] = function(now, args)
  local jid = Args.require(args[1], 'Track(): Arg "jid" missing')
  if call('zscore', Keys.TRACKED, jid) == false then jid = trackedJid(args) end
  Events.publish('untrack', jid)
  return encode(call('zrem', Keys.TRACKED, jid))
end

-- jobs.tracked
--
-- Arguments: none
-- Reply: JSON {"jobs": [job object...], "expired": [jid...]} in tracking order;
--   either list is `{}` when empty. Nothing is cleaned up.
-- Keys: reads ql:tracked and the tracked jobs.
-- Writes: none
Commands['jobs.tracked'] = function(now, args)
  local jobs, expired = {}, {}
  for _, jid in ipairs(call('zrange', Keys.TRACKED, 0, -1)) do
    local record = Job.read(jid)
    if record then
      table.insert(jobs, Job.toObject(jid, record, true))
    else
      table.insert(expired, jid)
    end
  end
  return encode({ jobs = jobs, expired = expired })
end
