-- JSON output. Redis's cjson already writes empty nested tables as `{}`,
-- numbers with 14 significant digits and `/` as `\/`, which is the contract;
-- the only extra rule is how a top-level list is written when empty.

-- A top-level list written `[]` when empty.
function Json.list(items)
  if #items == 0 then return '[]' end
  return encode(items)
end

-- A top-level list written `{}` when empty (some commands reply this way).
function Json.listOrObject(items)
  return encode(items)
end
