/*
 * embed_local.h — the offline embedding of the local llm backend.
 *
 * Method (the same pipeline as scikit-learn's HashingVectorizer with
 * alternate_sign=False, ngram_range=(1,2), followed by TfidfTransformer with
 * smooth_idf=True, sublinear_tf=True, norm="l2"):
 *
 * 1. Tokens: maximal runs of ASCII letters and digits and of non-ASCII UTF-8
 *    bytes (so "café" and "日本語" stay words); ASCII letters are lower-cased;
 *    everything else separates tokens.
 * 2. Features: every token (unigram) and every pair of adjacent tokens
 *    (bigram, hashed as "a b"), each mapped to bucket FNV-1a-64(feature) mod dim.
 * 3. Term frequency per bucket: tf = 1 + ln(count).
 * 4. Inverse document frequency over the texts of the call: idf = ln((1 + n) /
 *    (1 + df)) + 1, with n the number of texts and df how many of them have the
 *    bucket. A single text thus gets idf = 1 everywhere (plain tf).
 * 5. Each vector is divided by its L2 norm; a text without any token (only
 *    punctuation) gives the zero vector.
 *
 * The result depends only on the texts and dim: same input, same bytes, on any
 * machine. Vectors of one call are comparable with each other (cosine = dot
 * product); texts sharing words and word pairs come out closer than unrelated
 * texts. Good enough to cluster short texts; it knows no synonyms.
 */
#ifndef GROWTH_PROVIDERS_LLM_EMBED_LOCAL_H
#define GROWTH_PROVIDERS_LLM_EMBED_LOCAL_H

#include <stddef.h>

#include "base/error.h"

#define EMBED_LOCAL_DEFAULT_DIM 512
#define EMBED_LOCAL_MAX_DIM 65536
#define EMBED_LOCAL_MAX_TEXTS 2048

/* Embeds count UTF-8 texts into out, which holds count * dim floats (row i is text i).
 * bad_argument for an empty text, count outside 1..EMBED_LOCAL_MAX_TEXTS or dim outside
 * 1..EMBED_LOCAL_MAX_DIM. */
int embed_local(const char *const *texts, size_t count, size_t dim, float *out, struct growth_error *err);

/* Dot product of two vectors of length dim (the cosine for L2-normalised vectors). */
double embed_local_dot(const float *a, const float *b, size_t dim);

#endif
