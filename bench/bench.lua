-- wrk script for bench.py: counts bad statuses, optionally cycles through paths or POST bodies,
-- and prints one machine-readable line (BENCHJSON {...}) when done.
--
--   BENCH_PATHS=file   one request path per line, used in turn (e.g. tracking pages)
--   BENCH_POSTS=file   "path<TAB>json body" per line, POSTed in turn as application/json
--   BENCH_CODES=1      also count every status code (a response hook: slows wrk down a little)

local paths_file = os.getenv("BENCH_PATHS") or ""
local posts_file = os.getenv("BENCH_POSTS") or ""
local want_codes = os.getenv("BENCH_CODES") == "1"

local threads = {}
local counter = 1

function setup(thread)
   thread:set("thread_no", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local items = nil
local i = 0
codes = {}
non2xx = 0

local function load()
   items = {}
   if posts_file ~= "" then
      for line in io.lines(posts_file) do
         local tab = line:find("\t", 1, true)
         if tab then
            items[#items + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
         end
      end
   elseif paths_file ~= "" then
      for line in io.lines(paths_file) do
         if #line > 0 then
            items[#items + 1] = line
         end
      end
   end
end

function init(args)
   load()
   -- Threads start at different places in the list.
   i = ((thread_no or 1) - 1) * 7919
end

if posts_file ~= "" then
   function request()
      i = i + 1
      local item = items[(i % #items) + 1]
      return wrk.format("POST", item[1], { ["Content-Type"] = "application/json" }, item[2])
   end
elseif paths_file ~= "" then
   function request()
      i = i + 1
      return wrk.format(nil, items[(i % #items) + 1])
   end
end

if want_codes then
   function response(status, headers, body)
      codes[status] = (codes[status] or 0) + 1
      if status < 200 or status > 299 then
         non2xx = non2xx + 1
      end
   end
end

function done(summary, latency, requests)
   local all = {}
   local bad = 0
   for _, t in ipairs(threads) do
      local c = t:get("codes")
      if c then
         for k, v in pairs(c) do
            all[k] = (all[k] or 0) + v
         end
      end
      bad = bad + (t:get("non2xx") or 0)
   end
   local parts = {}
   for k, v in pairs(all) do
      parts[#parts + 1] = string.format('"%d":%d', k, v)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"max_us":%d,"mean_us":%.1f,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
      '"timeouts":%d,"status_errors":%d,"non2xx_counted":%d,"codes_counted":%s,"codes":{%s}}\n',
      summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.timeout, e.status,
      bad, want_codes and "true" or "false", table.concat(parts, ",")))
end
