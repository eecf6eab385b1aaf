-- A stand-in for the rhythm agent in the rollback drills. While the test holds it (the key "hold" in its
-- ctx.store, set by the test in Redis), a job of it stays running, so the drill can flip flags and kill
-- switches with jobs in flight; then it returns its name.
return {
  name = "rhythm",
  tier = "rooted",
  run = function(ctx)
    ctx.progress(10, "started")
    while ctx.store.get("hold") do end
    return { agent = "rhythm", attempt = ctx.job.attempt }
  end,
}
