/*
 * embed_local.c — feature-hashed TF-IDF embeddings (method in embed_local.h).
 *
 * Work happens in two passes over the texts: the first counts features per
 * bucket straight into the output rows (as raw counts) and builds the document
 * frequency per bucket; the second turns counts into tf-idf and normalises.
 * Tokens are found in place, so no copy of a text is made.
 */
#include "providers/llm/embed_local.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static int is_word_byte(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static unsigned char fold(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static uint64_t fnv_add(uint64_t hash, const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++) {
    hash ^= fold((unsigned char)s[i]);
    hash *= FNV_PRIME;
  }
  return hash;
}

/* Finds the next token at or after *pos; returns 0 when there is none. */
static int next_token(const char *text, size_t *pos, const char **start, size_t *len)
{
  size_t i = *pos;
  while (text[i] && !is_word_byte((unsigned char)text[i]))
    i++;
  if (!text[i])
    return 0;
  size_t begin = i;
  while (text[i] && is_word_byte((unsigned char)text[i]))
    i++;
  *start = text + begin;
  *len = i - begin;
  *pos = i;
  return 1;
}

/* Adds the raw unigram and bigram counts of text to row. */
static void count_features(const char *text, size_t dim, float *row)
{
  size_t pos = 0;
  const char *token, *previous = NULL;
  size_t len, previous_len = 0;
  while (next_token(text, &pos, &token, &len)) {
    row[fnv_add(FNV_OFFSET, token, len) % dim] += 1.0f;
    if (previous) {
      uint64_t hash = fnv_add(FNV_OFFSET, previous, previous_len);
      hash = fnv_add(hash, " ", 1);
      hash = fnv_add(hash, token, len);
      row[hash % dim] += 1.0f;
    }
    previous = token;
    previous_len = len;
  }
}

int embed_local(const char *const *texts, size_t count, size_t dim, float *out, struct growth_error *err)
{
  if (count == 0 || count > EMBED_LOCAL_MAX_TEXTS)
    return error_set(err, ERR_BAD_ARGUMENT, "embed: %zu texts given; expected 1 to %d", count, EMBED_LOCAL_MAX_TEXTS);
  if (dim == 0 || dim > EMBED_LOCAL_MAX_DIM)
    return error_set(err, ERR_BAD_ARGUMENT, "embed: dimension %zu; expected 1 to %d", dim, EMBED_LOCAL_MAX_DIM);
  for (size_t i = 0; i < count; i++)
    if (!texts[i] || !*texts[i])
      return error_set(err, ERR_BAD_ARGUMENT, "embed: text %zu is empty; expected non-empty strings", i + 1);
  unsigned *document_frequency = calloc(dim, sizeof *document_frequency);
  if (!document_frequency)
    return error_set(err, ERR_NO_MEMORY, "embed: out of memory for %zu dimensions", dim);

  memset(out, 0, count * dim * sizeof *out);
  for (size_t i = 0; i < count; i++) {
    float *row = out + i * dim;
    count_features(texts[i], dim, row);
    for (size_t j = 0; j < dim; j++)
      if (row[j] > 0.0f)
        document_frequency[j]++;
  }
  for (size_t i = 0; i < count; i++) {
    float *row = out + i * dim;
    double norm = 0.0;
    for (size_t j = 0; j < dim; j++) {
      if (row[j] == 0.0f)
        continue;
      double tf = 1.0 + log((double)row[j]);
      double idf = log((1.0 + (double)count) / (1.0 + (double)document_frequency[j])) + 1.0;
      double weight = tf * idf;
      row[j] = (float)weight;
      norm += weight * weight;
    }
    if (norm > 0.0) {
      double scale = 1.0 / sqrt(norm);
      for (size_t j = 0; j < dim; j++)
        row[j] = (float)(row[j] * scale);
    }
  }
  free(document_frequency);
  return 0;
}

double embed_local_dot(const float *a, const float *b, size_t dim)
{
  double sum = 0.0;
  for (size_t i = 0; i < dim; i++)
    sum += (double)a[i] * (double)b[i];
  return sum;
}
