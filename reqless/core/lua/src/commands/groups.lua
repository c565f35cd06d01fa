-- Fair group commands (docs/concepts.md, Fair groups): list a queue's groups,
-- a group's waiting jobs, and set a group's weight.

-- queue.groups
--
-- An extension of ours.
-- Arguments: queue [, offset [, limit]]
-- Reply: JSON array of {group, waiting, weight, turn, parked} for the queue's
--   groups with waiting (or held) jobs, next to be served first (`turn`
--   ascending); `parked` is the jid of a held job the group waits on, or false.
--   `offset` defaults to 0, `limit` to 25. `[]` when none.
-- Errors: Groups(): Arg "queue" missing; Groups(): Arg "offset"/"limit" not a number: <v>
-- Writes: none
Commands['queue.groups'] = function(now, args)
  local queue = Args.require(args[1], 'Groups(): Arg "queue" missing')
  local offset = Args.paging(args[2], 0, 'Groups(): Arg "offset" not a number: ')
  local limit = Args.paging(args[3], 25, 'Groups(): Arg "limit" not a number: ')
  if offset < 0 or limit <= 0 then return '[]' end
  return Json.list(Group.list(queue, offset, limit))
end

-- queue.group.jobs
--
-- An extension of ours.
-- Arguments: queue, group [, offset [, limit]]
-- Reply: JSON array of the jids waiting in the group, in the order the group
--   hands them out (the first is the group's head); `[]` when none.
-- Errors: Groups(): Arg "queue" missing; Groups(): Arg "group" missing;
--   Groups(): Arg "offset"/"limit" not a number: <v>
-- Writes: none
Commands['queue.group.jobs'] = function(now, args)
  local queue = Args.require(args[1], 'Groups(): Arg "queue" missing')
  local group = Args.require(args[2], 'Groups(): Arg "group" missing')
  local offset = Args.paging(args[3], 0, 'Groups(): Arg "offset" not a number: ')
  local limit = Args.paging(args[4], 25, 'Groups(): Arg "limit" not a number: ')
  if offset < 0 or limit <= 0 then return '[]' end
  return Json.list(call('zrevrange', Keys.queueGroup(queue, group), offset, offset + limit - 1))
end

-- queue.group.weight
--
-- An extension of ours: group `group` of `queue` takes `weight` jobs per turn
-- (1, the default, removes the setting). Kept while the group has no jobs.
-- Arguments: queue, group, weight
-- Reply: the weight.
-- Errors: Groups(): Arg "queue" missing; Groups(): Arg "group" missing;
--   Group(): Arg "weight" must be a whole number from 1 to 1000: <v>
-- Keys: the queue's -group-weights and -group-served hashes.
Commands['queue.group.weight'] = function(now, args)
  local queue = Args.require(args[1], 'Groups(): Arg "queue" missing')
  local group = Args.require(args[2], 'Groups(): Arg "group" missing')
  local weight = Group.parseWeight(args[3])
  local weights = Keys.queue(queue, 'group-weights')
  if weight == 1 then call('hdel', weights, group) else call('hset', weights, group, weight) end
  call('hdel', Keys.queue(queue, 'group-served'), group)
  return weight
end
