-- Tag commands (docs/concepts.md, Tags and tracking). A job's tags are the JSON list in its hash;
-- ql:t:<tag> and ql:tags index them (lib/tags.lua keeps the counters equal to
-- the number of distinct jids carrying each tag).

-- The tag list of job `jid` (args[1]) and the job's key; the job exists when
-- its hash has a `tags` field.
local function jobTags(args)
  local jid = Args.require(args[1], 'Tag(): Arg "jid" missing')
  local text = call('hget', Keys.job(jid), 'tags')
  if text == false then error('Tag(): Job ' .. jid .. ' does not exist') end
  local tags = {}
  for _, tag in ipairs(Tags.decode(text)) do table.insert(tags, tag) end
  return jid, tags
end

-- job.addTag
--
-- Arguments: jid, tag...
-- Reply: the job's tags after the call as a JSON array; `[]` when empty.
-- Errors: Tag(): Arg "jid" missing; Tag(): Job <jid> does not exist
-- Events: none.
-- Keys: the job hash; ql:t:<tag> (re-scored to now); ql:tags.
Commands['job.addTag'] = function(now, args)
  local jid, tags = jobTags(args)
  -- Tags are compared by their index name, so a tag put as the JSON number 3
  -- and the argument "3" are the same tag (one list entry, one index entry).
  local have = {}
  for _, tag in ipairs(tags) do have[Tags.name(tag)] = true end
  for i = 2, #args do
    local tag = args[i]
    if not have[tag] then
      table.insert(tags, tag)
      have[tag] = true
    end
    Tags.index(jid, tag, now)
  end
  call('hset', Keys.job(jid), 'tags', encode(tags))
  return Json.list(tags)
end

-- job.removeTag
--
-- Arguments: jid, tag...
-- Reply: the remaining tags as a JSON array, order kept; `[]` when empty.
-- Errors: Tag(): Arg "jid" missing; Tag(): Job <jid> does not exist
-- Events: none.
-- Keys: the job hash; ql:t:<tag>; ql:tags.
Commands['job.removeTag'] = function(now, args)
  local jid, tags = jobTags(args)
  local drop = {}
  for i = 2, #args do drop[args[i]] = true end
  local kept = {}
  for _, tag in ipairs(tags) do
    if not drop[Tags.name(tag)] then table.insert(kept, tag) end
  end
  for i = 2, #args do Tags.unindex(jid, args[i]) end
  call('hset', Keys.job(jid), 'tags', encode(kept))
  return Json.list(kept)
end

-- jobs.tagged
--
-- Arguments: tag [, offset [, limit]] (defaults 0 and 25)
-- Reply: JSON {"total": n, "jobs": [jid...]} in tagging order (`{}` when no jobs).
--   The rank range is offset .. offset + limit - 1 (so limit 0 from offset 0
--   returns everything, as in the original).
-- Errors: Tag(): Arg "tag" missing; Tag(): Arg "offset"/"limit" not a number: <v>
-- Keys: reads ql:t:<tag>.
-- Writes: none
Commands['jobs.tagged'] = function(now, args)
  local tag = Args.require(args[1], 'Tag(): Arg "tag" missing')
  local offset = Args.paging(args[2], 0, 'Tag(): Arg "offset" not a number: ')
  local limit = Args.paging(args[3], 25, 'Tag(): Arg "limit" not a number: ')
  local key = Keys.tag(tag)
  return encode({
    total = call('zcard', key),
    jobs = call('zrange', key, offset, offset + limit - 1),
  })
end

-- tags.top
--
-- Arguments: [offset [, limit]] (defaults 0 and 25)
-- Reply: JSON array of tags carried by at least two jobs, most used first
--   (ties by name, descending); `[]` when empty.
-- Errors: Tag(): Arg "offset"/"limit" not a number: <v>
-- Keys: reads ql:tags.
-- Writes: none
Commands['tags.top'] = function(now, args)
  local offset = Args.paging(args[1], 0, 'Tag(): Arg "offset" not a number: ')
  local limit = Args.paging(args[2], 25, 'Tag(): Arg "limit" not a number: ')
  return Json.list(call('zrevrangebyscore', Keys.TAGS, '+inf', 2, 'LIMIT', offset, limit))
end
