-- Every Redis key and pubsub channel the core uses. No other file spells out a
-- `ql:` prefix.
Keys.QUEUES = 'ql:queues'
Keys.PAUSED = 'ql:paused_queues'
Keys.COMPLETED = 'ql:completed'
Keys.FAILURES = 'ql:failures'
Keys.WORKERS = 'ql:workers'
Keys.TRACKED = 'ql:tracked'
Keys.TAGS = 'ql:tags'
-- Exists only inside a queue.putMany call (see commands/put.lua).
Keys.PUT_TEMPLATE = 'ql:put-template'
Keys.CONFIG = 'ql:config'
Keys.IDENTIFIER_PATTERNS = 'ql:qp:identifiers'
Keys.LEGACY_IDENTIFIER_PATTERNS = 'qmore:dynamic'
Keys.PRIORITY_PATTERNS = 'ql:qp:priorities'
Keys.LEGACY_PRIORITY_PATTERNS = 'qmore:priority'

function Keys.job(jid) return 'ql:j:' .. jid end
function Keys.history(jid) return 'ql:j:' .. jid .. '-history' end
function Keys.dependencies(jid) return 'ql:j:' .. jid .. '-dependencies' end
function Keys.dependents(jid) return 'ql:j:' .. jid .. '-dependents' end

-- kind is one of: work, locks, scheduled, depends, throttled, recur
function Keys.queue(queue, kind) return 'ql:q:' .. queue .. '-' .. kind end
-- The id (not the key) of a queue's implicit throttle.
function Keys.queueThrottleId(queue) return 'ql:q:' .. queue end

function Keys.throttle(tid) return 'ql:th:' .. tid end
function Keys.throttleLocks(tid) return 'ql:th:' .. tid .. '-locks' end
function Keys.throttlePending(tid) return 'ql:th:' .. tid .. '-pending' end

function Keys.failureGroup(group) return 'ql:f:' .. group end
function Keys.workerJobs(worker) return 'ql:w:' .. worker .. ':jobs' end
function Keys.tag(tag) return 'ql:t:' .. tag end
function Keys.stats(kind, bin, queue) return 'ql:s:' .. kind .. ':' .. bin .. ':' .. queue end
function Keys.recurring(jid) return 'ql:r:' .. jid end
-- The holder (a jid) of a unique key (lib/unique.lua).
function Keys.unique(key) return 'ql:u:' .. key end

-- Blocking pickup (docs/core-design.md): these exist only while a worker of
-- ours waits on the queue. `waiting` holds worker -> deadline; `wake` is the
-- list such workers BLPOP, fed one token per job made ready.
function Keys.waiting(queue) return 'ql:waiting:' .. queue end
function Keys.wake(queue) return 'ql:wake:' .. queue end

function Keys.channel(name) return 'ql:' .. name end
function Keys.workerChannel(worker) return 'ql:w:' .. worker end
