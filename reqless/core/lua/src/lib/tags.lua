-- Tag indexes: `ql:t:<tag>` holds the jids carrying a tag (score = when it was
-- last indexed) and `ql:tags` counts, per tag, the jids in that set. Keeping the
-- counter equal to the set size (rather than counting every index call) means it
-- cannot drift; docs/core-decisions.md explains the choice.

-- Tags may be JSON numbers; they are indexed under their decimal text.
function Tags.name(tag)
  return tostring(tag)
end

function Tags.index(jid, tag, now)
  local name = Tags.name(tag)
  if call('zadd', Keys.tag(name), now, jid) == 1 then
    call('zincrby', Keys.TAGS, 1, name)
  end
end

function Tags.unindex(jid, tag)
  local name = Tags.name(tag)
  if call('zrem', Keys.tag(name), jid) == 1 then
    if tonumber(call('zincrby', Keys.TAGS, -1, name)) <= 0 then
      call('zrem', Keys.TAGS, name)
    end
  end
end

-- Decode a stored `tags` field; absent or malformed gives an empty list.
function Tags.decode(text)
  if not text then return {} end
  local ok, tags = pcall(decode, text)
  if ok and type(tags) == 'table' then return tags end
  return {}
end
