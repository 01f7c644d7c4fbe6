-- bench/pipeline16.lua — wrk script: HTTP/1.1 pipelining, DEPTH requests written back to back
-- in one send per connection turn (default 16). wrk counts each response as one request.
--   wrk -t1 -c50 -d10s -s bench/pipeline16.lua http://127.0.0.1:8080/hello.txt [-- DEPTH]
local depth = 16
local batch

init = function(args)
    if args[1] then depth = tonumber(args[1]) end
    local r = {}
    for i = 1, depth do
        r[i] = wrk.format(nil) -- method, path and headers from the command line / URL
    end
    batch = table.concat(r)
end

request = function()
    return batch
end
