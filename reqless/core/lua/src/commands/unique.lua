-- Unique keys, for operators (docs/concepts.md, Unique jobs).

local function keyArg(args)
  local key = args[1]
  if key == nil or key == '' then error('Unique(): Arg "key" missing') end
  return key
end

-- unique.holder
--
-- An extension of ours (other clients never need it).
-- Arguments: key
-- Reply: the jid of the live job holding unique key `key`, or nil (no holder,
--   or one that no longer counts: ended, out of time, or naming another key).
-- Errors: Unique(): Arg "key" missing
-- Keys: reads ql:u:<key> and the holder's job hash.
-- Writes: none
Commands['unique.holder'] = function(now, args)
  return Unique.holder(keyArg(args), now)
end

-- unique.free
--
-- An extension of ours: an operator frees a unique key, so that the next put
-- naming it is put. The job that held it is left as it is (it still shows
-- the key it was put with, and its end releases nothing another job holds).
-- Arguments: key
-- Reply: 1 when the key was held (by anything), 0 when it held nothing.
-- Errors: Unique(): Arg "key" missing
-- Keys: ql:u:<key>.
Commands['unique.free'] = function(now, args)
  return call('del', Keys.unique(keyArg(args)))
end
