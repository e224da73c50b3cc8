//! The Lua scripts `RedisStore` runs on the server, one per store call, so that each call is
//! atomic there (a script runs alone: no other command interleaves with it).
//!
//! The key layout they work on is described in the module docs of [`super`]. Every script
//! answers a flat array whose first element is a tag (`entry`, `written`, `absent`, `conflict`,
//! `deleted`, `page`, `corrupt`); [`super::reply`] decodes it. A key holding something this store did not
//! write (another type, missing or malformed fields) is answered with `corrupt` and a reason,
//! never with a script error, so the caller can tell it from a failing server.

use std::sync::LazyLock;

use redis::Script;

/// Lua shared by the scripts: reading one entry's hash and purging index members.
///
/// `read_entry(k)` returns `nil` when `k` does not exist, `false, reason` when it holds
/// something else than an entry, and `ver, val` otherwise. `purge(idx, ttl, m)` drops member
/// `m` from both index sets. `purge_expired(data, idx, ttl)` drops up to 16 members whose
/// expiry time has passed and whose key is gone, so the index shrinks even when nobody scans.
const PRELUDE: &str = r#"
local function read_entry(k)
  local t = redis.call('TYPE', k)['ok']
  if t == 'none' then return nil end
  if t ~= 'hash' then return false, 'holds a ' .. t .. ', not an entry hash' end
  local f = redis.call('HMGET', k, 'ver', 'val')
  if not f[1] or not f[2] then return false, 'entry hash without its ver and val fields' end
  if not string.match(f[1], '^[1-9]%d*$') then return false, 'version is not a positive integer' end
  return f[1], f[2]
end
local function purge(idx, ttl, m)
  redis.call('ZREM', idx, m)
  redis.call('ZREM', ttl, m)
end
local function purge_expired(data, idx, ttl)
  local now = redis.call('TIME')
  local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  local due = redis.call('ZRANGEBYSCORE', ttl, '-inf', ms, 'LIMIT', 0, 16)
  for _, m in ipairs(due) do
    if redis.call('EXISTS', data .. m) == 0 then purge(idx, ttl, m) end
  end
end
"#;

/// `get`. KEYS: the entry's key. Answers `absent`, `entry ver val` or `corrupt reason`.
const GET: &str = r#"
local ver, val = read_entry(KEYS[1])
if ver == nil then return {'absent'} end
if ver == false then return {'corrupt', val} end
return {'entry', ver, val}
"#;

/// `put` (compare-and-set). KEYS: entry, index, ttl index. ARGV: expected version (empty: the
/// key must not exist), value, ttl in milliseconds (empty: none), the user key (index member),
/// the entry key prefix (for the purge). Answers `written new_version`, `conflict` or `corrupt reason`.
const PUT: &str = r#"
local ver, err = read_entry(KEYS[1])
if ver == false then return {'corrupt', err} end
if ARGV[1] == '' then
  if ver ~= nil then return {'conflict'} end
elseif ver ~= ARGV[1] then
  return {'conflict'}
end
redis.call('HSET', KEYS[1], 'val', ARGV[2])
local new = redis.call('HINCRBY', KEYS[1], 'ver', 1)
redis.call('ZADD', KEYS[2], 0, ARGV[4])
if ARGV[3] == '' then
  redis.call('PERSIST', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[4])
else
  local now = redis.call('TIME')
  local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('ZADD', KEYS[3], ms + tonumber(ARGV[3]), ARGV[4])
end
purge_expired(ARGV[5], KEYS[2], KEYS[3])
return {'written', new}
"#;

/// `delete` (compare-and-delete). KEYS: entry, index, ttl index. ARGV: expected version, the
/// user key, the entry key prefix. Answers `deleted`, `absent`, `conflict` or `corrupt reason`.
const DELETE: &str = r#"
local ver, err = read_entry(KEYS[1])
if ver == false then return {'corrupt', err} end
if ver == nil then
  purge(KEYS[2], KEYS[3], ARGV[2])
  return {'absent'}
end
if ver ~= ARGV[1] then return {'conflict'} end
redis.call('DEL', KEYS[1])
purge(KEYS[2], KEYS[3], ARGV[2])
purge_expired(ARGV[3], KEYS[2], KEYS[3])
return {'deleted'}
"#;

/// `scan`: one page. KEYS: index, ttl index. ARGV: the entry key prefix, the lower bound and the
/// upper bound in `ZRANGEBYLEX` syntax, the page size. Walks the index in byte order, skips
/// (and purges) members whose key has expired, stops after `limit` live entries and then looks
/// for one more live key to know whether the scan goes on. Answers
/// `page more m1 ver1 val1 m2 …` (`more` is 1 or 0) or `corrupt member reason`.
const SCAN: &str = r#"
local data, min, max, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local out = {'page', 0}
local found = 0
while true do
  local members = redis.call('ZRANGEBYLEX', KEYS[1], min, max, 'LIMIT', 0, limit + 1 - found)
  if #members == 0 then return out end
  for _, m in ipairs(members) do
    if found == limit then
      if redis.call('EXISTS', data .. m) == 1 then
        out[2] = 1
        return out
      end
      purge(KEYS[1], KEYS[2], m)
    else
      local ver, val = read_entry(data .. m)
      if ver == false then return {'corrupt', m, val} end
      if ver == nil then
        purge(KEYS[1], KEYS[2], m)
      else
        out[#out + 1] = m
        out[#out + 1] = ver
        out[#out + 1] = val
        found = found + 1
      end
    end
    min = '(' .. m
  end
end
"#;

/// The scripts, loaded once per process (the redis crate sends `EVALSHA` and loads a script
/// on `NOSCRIPT`, e.g. after the server restarted).
#[derive(Debug)]
pub(super) struct Scripts {
    pub(super) get: Script,
    pub(super) put: Script,
    pub(super) delete: Script,
    pub(super) scan: Script,
}

/// The process's [`Scripts`].
pub(super) static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    get: with_prelude(GET),
    put: with_prelude(PUT),
    delete: with_prelude(DELETE),
    scan: with_prelude(SCAN),
});

fn with_prelude(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{body}"))
}
