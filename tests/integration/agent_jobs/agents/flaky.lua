-- Fails its first attempt with a retryable error after a side effect inside ctx.step; the retry must get
-- the step's stored result instead of doing the side effect again (counted in ctx.store).
return {
  name = "flaky",
  tier = "grounded",
  run = function(ctx)
    local sent = ctx.step("send", function()
      local count = (ctx.store.get("sends") or 0) + 1
      ctx.store.set("sends", count)
      return { sends = count }
    end)
    if ctx.job.attempt == 1 then
      error({ code = "unavailable", message = "the mail server is away", retryable = true })
    end
    return { attempt = ctx.job.attempt, sends = sent.sends, stored = ctx.store.get("sends") }
  end,
}
