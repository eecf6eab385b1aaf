local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local text = require "lib.text"

check.test("words: lower case, apostrophes, UTF-8 letters, punctuation splits", function()
  check.eq(text.words("Don’t STOP: Élodie’s café, ÜBER naïve — ok! ‘quoted’"),
    { "don't", "stop", "élodie", "café", "über", "naïve", "ok", "quoted" }, "words")
  check.eq(text.words("Привет, МИР"), { "привет", "мир" }, "cyrillic")
  check.eq(text.words("emoji🙂between…dots"), { "emoji", "between", "dots" }, "symbols separate")
  check.eq(text.words("bad \xff byte"), { "bad", "byte" }, "invalid byte separates")
  check.eq(text.words(""), {}, "empty")
end)

check.test("length counts characters, not bytes", function()
  check.eq(text.length("naïve"), 5, "naïve")
  check.eq(text.length("🙂a"), 2, "emoji")
  check.eq(text.length("a\xffb"), 3, "invalid byte")
end)

check.test("content words drop stop words, numbers and short words", function()
  check.eq(text.content_words("I really want to grow my 3 gardening skills at it"),
    { "grow", "gardening", "skills" }, "content words")
  check.ok(text.is_stop_word("the") and text.is_stop_word("i'm"), "stop words")
  check.ok(not text.is_stop_word("garden"), "garden is content")
end)

check.test("frequencies and themes: most frequent first, ties by first appearance", function()
  local entries = {
    "Slept badly, tired at work.", "Work felt heavy; walked at lunch.", "Great walk, better work focus.",
  }
  local f = text.frequencies(entries)
  check.eq(f[1], { word = "work", count = 3 }, "top")
  check.eq(f[2].word, "slept", "ties keep first appearance")
  check.eq(text.themes(entries, 3), { "work", "slept", "badly" }, "themes")
  check.eq(text.themes("one single", 5), { "single" }, "fewer than n")
  check.eq(text.themes(entries, 3), text.themes(entries, 3), "same input, same output")
end)

check.test("truncate at a word boundary within n characters", function()
  local s = "The quick brown fox jumps over the lazy dog"
  check.eq(text.truncate(s, 100), s, "short text unchanged")
  check.eq(text.truncate(s, 20), "The quick brown...", "cut")
  check.eq(text.truncate(s, 19, ""), "The quick brown fox", "exact word end, no suffix")
  check.eq(text.truncate("Supercalifragilistic", 10), "Superca...", "long word cut mid-word")
  check.eq(text.truncate("Ünïcödé wörds ärë hërë", 12, "…"), "Ünïcödé…", "UTF-8 suffix")
  for n = 4, #s do
    local t = text.truncate(s, n)
    check.ok(text.length(t) <= n, "length within " .. n)
  end
end)

check.test("fill replaces names and refuses missing ones", function()
  check.eq(text.fill("Hi {name}, {{literal} {n}", { name = "Ana", n = 3 }), "Hi Ana, {literal} 3", "fill")
  check.raises(function() text.fill("Hi {who}", {}) end, "no value for {who}", "missing")
end)

check.test("join, capitalize, trim, lower", function()
  check.eq(text.join({ "a", "b", "c" }), "a, b and c", "three")
  check.eq(text.join({ "a" }), "a", "one")
  check.eq(text.join({}), "", "none")
  check.eq(text.capitalize("  hello"), "  Hello", "capitalize")
  check.eq(text.trim("  x y \n"), "x y", "trim")
  check.eq(text.lower("ÀÉÎ ŁĄ ΣΩ"), "àéî łą σω", "lower")
  check.eq(text.lower("ŹŻŽ Ÿ ДЁ"), "źżž ÿ дё", "lower, end of Latin Extended-A and Cyrillic")
end)

check.done()
