-- Job history: the list `ql:j:<jid>-history`, oldest first, one JSON element per
-- event, `[when, what]` or `[when, what, {details}]`.

-- Append an event. `limit` is the value of `max-job-history`. The trimming keeps
-- the first entry and drops the oldest of the others, exactly as if the first
-- entry were popped, the rest trimmed from index `2 - limit`, and the first put
-- back; in the usual case (no trimming due) this costs a single RPUSH.
function History.append(jid, when, what, details, limit)
  local entry
  if details then entry = encode({ when, what, details }) else entry = encode({ when, what }) end
  History.appendEntry(jid, entry, limit)
end

-- Append an entry already encoded (a new job's put entry is built by hand). A
-- list of one or two entries is never trimmed, so `limit` may be nil: it is
-- read only when needed.
function History.appendEntry(jid, entry, limit)
  local key = Keys.history(jid)
  local length = call('rpush', key, entry)
  if length <= 2 then return end
  limit = floor(limit or Config.getNumber('max-job-history'))
  if limit <= 0 then return end
  local rest = length - 2 -- entries between the first one and the new one
  local drop
  if limit <= 2 then drop = math.min(2 - limit, rest) else drop = rest - (limit - 2) end
  if drop > 0 then
    local first = call('lindex', key, 0)
    call('ltrim', key, drop + 1, -1)
    call('lpush', key, first)
  end
end

-- Convert a legacy `history` hash field (a JSON array of objects with put,
-- popped, failed and done times) into list entries placed before any existing
-- ones, then delete the field.
function History.migrate(jid, legacy)
  local ok, old = pcall(decode, legacy)
  local entries = {}
  if ok and type(old) == 'table' then
    for _, item in ipairs(old) do
      if type(item) == 'table' then
        if tonumber(item.put) then
          table.insert(entries, encode({ floor(item.put), 'put', { queue = item.queue } }))
        end
        if tonumber(item.popped) then
          table.insert(entries, encode({ floor(item.popped), 'popped', { worker = item.worker } }))
        end
        if tonumber(item.failed) then
          table.insert(entries, encode({ floor(item.failed), 'failed' }))
        end
        if tonumber(item.done) then
          table.insert(entries, encode({ floor(item.done), 'done' }))
        end
      end
    end
  end
  local key = Keys.history(jid)
  for i = #entries, 1, -1 do call('lpush', key, entries[i]) end
  call('hdel', Keys.job(jid), 'history')
end

-- The history as a list of objects: details overlaid with `when` and `what`.
function History.read(jid)
  local out = {}
  for i, text in ipairs(call('lrange', Keys.history(jid), 0, -1)) do
    local item = decode(text)
    local object = item[3]
    if type(object) ~= 'table' then object = {} end
    object.when = item[1]
    object.what = item[2]
    out[i] = object
  end
  return out
end
