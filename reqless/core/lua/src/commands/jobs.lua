-- Listings across queues: completed jobs and failure groups.

-- jobs.completed
--
-- Arguments: [offset [, limit]] (defaults 0 and 25)
-- Reply: JSON array of jids, newest completion first; `[]` when empty.
-- Errors: Jobs(): Arg "offset"/"limit" not a number: <v>
-- Writes: none
Commands['jobs.completed'] = function(now, args)
  return Queue.completed(args[1], args[2])
end

-- failureGroups.counts
--
-- Arguments: [start [, limit]] (validated, otherwise ignored)
-- Reply: JSON object group -> number of failed jobs; `{}` when none.
-- Errors: Failed(): Arg "start"/"limit" is not a number: <v>
-- Writes: none
local function failureCounts(args)
  Args.paging(args[1], 0, 'Failed(): Arg "start" is not a number: ')
  Args.paging(args[2], 25, 'Failed(): Arg "limit" is not a number: ')
  local counts = {}
  for _, group in ipairs(call('smembers', Keys.FAILURES)) do
    counts[group] = call('llen', Keys.failureGroup(group))
  end
  return encode(counts)
end
Commands['failureGroups.counts'] = function(now, args) return failureCounts(args) end

-- jobs.failedByGroup
--
-- Arguments: group [, start [, limit]] (defaults 0 and 25)
-- Reply: JSON {"total": n, "jobs": [jid...]} (newest failure first; jobs `{}`
--   when empty). Without a group, the reply of failureGroups.counts.
-- Errors: Failed(): Arg "start"/"limit" is not a number: <v>
-- Writes: none
Commands['jobs.failedByGroup'] = function(now, args)
  local group = args[1]
  if group == nil then return failureCounts(args) end
  local start = Args.paging(args[2], 0, 'Failed(): Arg "start" is not a number: ')
  local limit = Args.paging(args[3], 25, 'Failed(): Arg "limit" is not a number: ')
  local key = Keys.failureGroup(group)
  return encode({
    total = call('llen', key),
    jobs = call('lrange', key, start, start + limit - 1),
  })
end
