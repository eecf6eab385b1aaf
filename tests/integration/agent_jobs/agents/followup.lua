-- Schedules one follow-up task through ctx.schedule (inside a step, as agents should), which runs as a
-- job of its own with the same user and the task's data.
return {
  name = "followup",
  tier = "rooted",
  run = function(ctx)
    local id = ctx.step("schedule", function()
      return ctx.schedule("remind", 1, { text = "drink water", day = 3 })
    end)
    return { scheduled = id }
  end,
  tasks = {
    remind = function(ctx, data)
      ctx.log("reminding " .. ctx.user.name)
      return { user = ctx.user.name, text = data.text, day = data.day }
    end,
  },
}
