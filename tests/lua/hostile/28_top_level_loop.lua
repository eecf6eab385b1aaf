-- expect: refused
-- message: hostile/28_top_level_loop.lua:4: the job went over its budget of
-- Top-level code that never returns the agent table: refused when the registry loads it.
while true do end
return { name = "28_top_level_loop", tier = "rooted", run = function() end }
