/*
 * replay_main.c — runs a fuzz target without libFuzzer: every seed file in a
 * folder, then a fixed number of mutations of the seeds (bit flips, byte
 * insertions, deletions, duplications and splices between seeds) drawn from a
 * xorshift generator with a constant seed, so a failure replays exactly.
 *
 *   fuzz_X SEED_FOLDER [ITERATIONS]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEDS 64
#define REPLAY_MAX_INPUT 65536

struct seed {
  uint8_t *data;
  size_t size;
};

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t next_random(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static size_t load_seeds(const char *folder, struct seed *seeds)
{
  DIR *dir = opendir(folder);
  if (!dir) {
    fprintf(stderr, "replay: cannot open %s\n", folder);
    exit(2);
  }
  size_t count = 0;
  struct dirent *entry;
  char path[4096];
  while ((entry = readdir(dir)) && count < MAX_SEEDS) {
    if (entry->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
    FILE *f = fopen(path, "rb");
    if (!f)
      continue;
    seeds[count].data = malloc(REPLAY_MAX_INPUT);
    if (!seeds[count].data)
      exit(2);
    seeds[count].size = fread(seeds[count].data, 1, REPLAY_MAX_INPUT, f);
    fclose(f);
    count++;
  }
  closedir(dir);
  return count;
}

/* Bytes worth inserting: JSON structure, escapes, UTF-8 lead and continuation bytes. */
static const char insertable[] = "{}[]\",:0\\\xC3\xE2\x80 \n";

/* One mutation of buffer (size bytes, capacity REPLAY_MAX_INPUT) in place; returns the new size. */
static size_t mutate(uint8_t *buffer, size_t size, const struct seed *seeds, size_t seed_count)
{
  int rounds = 1 + (int)(next_random() % 4);
  for (int r = 0; r < rounds; r++) {
    size_t at = size ? next_random() % size : 0;
    switch (next_random() % 6) {
    case 0:
      if (size)
        buffer[at] ^= (uint8_t)(1u << (next_random() % 8));
      break;
    case 1:
      if (size)
        buffer[at] = (uint8_t)next_random();
      break;
    case 2:
      if (size < REPLAY_MAX_INPUT) {
        memmove(buffer + at + 1, buffer + at, size - at);
        buffer[at] = (uint8_t)insertable[next_random() % (sizeof insertable - 1)];
        size++;
      }
      break;
    case 3:
      if (size) {
        size_t n = 1 + next_random() % 8;
        if (n > size - at)
          n = size - at;
        memmove(buffer + at, buffer + at + n, size - at - n);
        size -= n;
      }
      break;
    case 4: {
      size_t n = 1 + next_random() % 32;
      if (size && at + n <= size && size + n <= REPLAY_MAX_INPUT) {
        memmove(buffer + at + n, buffer + at, size - at);
        size += n;
      }
      break;
    }
    default: {
      const struct seed *other = &seeds[next_random() % seed_count];
      if (other->size == 0)
        break;
      size_t from = next_random() % other->size;
      size_t n = 1 + next_random() % (other->size - from);
      if (at + n > REPLAY_MAX_INPUT)
        n = REPLAY_MAX_INPUT - at;
      memcpy(buffer + at, other->data + from, n);
      if (at + n > size)
        size = at + n;
      break;
    }
    }
  }
  return size;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s SEED_FOLDER [ITERATIONS]\n", argv[0]);
    return 2;
  }
  long iterations = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
  struct seed seeds[MAX_SEEDS];
  size_t count = load_seeds(argv[1], seeds);
  if (count == 0) {
    fprintf(stderr, "replay: no seeds in %s\n", argv[1]);
    return 2;
  }
  for (size_t i = 0; i < count; i++)
    LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].size);
  uint8_t *buffer = malloc(REPLAY_MAX_INPUT);
  if (!buffer)
    return 2;
  for (long i = 0; i < iterations; i++) {
    const struct seed *base = &seeds[next_random() % count];
    memcpy(buffer, base->data, base->size);
    size_t size = mutate(buffer, base->size, seeds, count);
    LLVMFuzzerTestOneInput(buffer, size);
  }
  free(buffer);
  for (size_t i = 0; i < count; i++)
    free(seeds[i].data);
  printf("replay: %zu seeds and %ld mutations ran\n", count, iterations);
  return 0;
}
