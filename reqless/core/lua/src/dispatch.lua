-- Entry point: the script runs with zero keys; ARGV is command, now, args...
if #KEYS > 0 then error('No Keys should be provided') end
local commandName = ARGV[1]
if commandName == nil then error('Must provide a command') end
local handler = Commands[commandName]
if handler == nil then error('Unknown command ' .. commandName) end
local now = tonumber(ARGV[2])
if now == nil or now ~= now or now == math.huge or now == -math.huge then
  error('Arg "now" missing or not a number: ' .. tostring(ARGV[2]))
end
local commandArgs = {}
for i = 3, #ARGV do commandArgs[i - 2] = ARGV[i] end
return handler(now, commandArgs)
