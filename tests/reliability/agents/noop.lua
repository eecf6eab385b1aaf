-- Does nothing: the queue's own cost per job.
return {
  name = "noop", tier = "rooted",
  run = function(ctx)
    return { ok = true }
  end,
}
