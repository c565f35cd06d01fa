-- Argument parsing. Commands parse and validate every argument before writing
-- anything, so a failed call leaves the database as it was.

-- A number under Lua's tonumber rules (decimal, exponent, hex, surrounding
-- space), except NaN, which no command can store or compare meaningfully.
function Args.number(value)
  local n = tonumber(value)
  if n ~= n then return nil end
  return n
end

-- The numeric value of `value`, or an error `message .. tostring(value)`.
function Args.requireNumber(value, message)
  local n = Args.number(value)
  if n == nil then error(message .. tostring(value)) end
  return n
end

-- An optional numeric argument with a default.
function Args.optionalNumber(value, default, message)
  if value == nil then return default end
  return Args.requireNumber(value, message)
end

-- An optional finite argument with a default (a value that will be stored or
-- used as a score: an infinity would poison later JSON replies).
function Args.optionalFinite(value, default, message)
  if value == nil then return default end
  return Args.finite(value, message)
end

-- A paging argument: finite and numeric, then floored so Redis accepts it as
-- an integer.
function Args.paging(value, default, message)
  if value == nil then return floor(default) end
  return Args.count(value, message)
end

-- A finite number, or an error `message .. value`. Infinities cannot be used
-- as Redis ranges or be written back as JSON.
function Args.finite(value, message)
  local n = Args.requireNumber(value, message)
  if n == math.huge or n == -math.huge then error(message .. tostring(value)) end
  return n
end

-- The finite number `value` reads as, or nil (absent, not numeric, NaN or an
-- infinity). Used for stored values, which other clients may have written
-- unchecked: a job object must always encode as JSON.
function Args.finiteOrNil(value)
  local n = tonumber(value)
  if n == nil or n ~= n or n == math.huge or n == -math.huge then return nil end
  return n
end

-- A required count (pop and peek limits, offsets): finite and numeric, floored.
function Args.count(value, message)
  return floor(Args.finite(value, message))
end

-- Decode JSON text; malformed text or a document that is `false` raises
-- `message .. value`.
function Args.json(value, message)
  if value == nil then error(message .. 'nil') end
  local ok, decoded = pcall(decode, value)
  if not ok or decoded == false then error(message .. tostring(value)) end
  return decoded
end

-- Decode a JSON array whose items are strings (or numbers, when `numbers` is
-- set, as tags may be). An empty object `{}` counts as an empty array.
function Args.jsonList(value, message, numbers)
  if value == '[]' then return {} end -- what clients send for "none", decoded for free
  local decoded = Args.json(value, message)
  if type(decoded) ~= 'table' then error(message .. value) end
  local count = 0
  for _ in pairs(decoded) do count = count + 1 end
  if count ~= #decoded then error(message .. value) end
  for _, item in ipairs(decoded) do
    local kind = type(item)
    if kind ~= 'string' and not (numbers and kind == 'number') then
      error(message .. value)
    end
  end
  return decoded
end

-- Collect `key, value` pairs from args[first..]; the last repeat of a key wins.
function Args.pairs(args, first, oddMessage)
  local options = {}
  if (#args - first + 1) % 2 == 1 then
    error(oddMessage .. table.concat(args, ' ', first))
  end
  for i = first, #args, 2 do options[args[i]] = args[i + 1] end
  return options
end

-- Error unless `value` is present (an empty string is present).
function Args.require(value, message)
  if value == nil then error(message) end
  return value
end

-- Call `command key member...` in chunks small enough for `unpack`.
function Args.chunked(command, key, members)
  for i = 1, #members, CHUNK do
    call(command, key, unpack(members, i, math.min(i + CHUNK - 1, #members)))
  end
end
