/*
 * queue_worker_internal.h — the worker's shared state, for the files that make up the worker
 * (queue_worker.c: threads and Redis steps; queue_worker_job.c: running one job; queue_wakeup.c: waiting
 * on the marker). Not part of the queue's API.
 *
 * Every field below `lock` is guarded by it. A slot is one job the worker holds, from the moment the step
 * script gave it a lock until its finish was written to Redis (or it was released at shutdown).
 */
#ifndef GROWTH_QUEUE_WORKER_INTERNAL_H
#define GROWTH_QUEUE_WORKER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "queue/queue_worker.h"

struct queue_worker;

/* The worker's slots are split between at most WORKER_LANES lanes, each with its own thread making step
 * calls for its own jobs (see queue_worker.c). */
#define WORKER_LANES 2

struct worker_lane {
  struct queue_worker *worker;
  long index, capacity;     /* capacity: the lane's share of the concurrency */
  long held;                /* the lane's slots (taken, not yet retired) */
  long ready;               /* of those, in the ready list */
  long running;             /* of those, being run by a handler thread */
  long pending_fetch;       /* jobs a step call of the lane in flight may still bring */
  char lost_base[80];       /* token base of a step call whose reply was lost ("" if none): the jobs it may
                               have taken are reclaimed before the lane steps again */
  struct slot *done_head, *done_tail;   /* waiting to be written to Redis */
  int64_t first_done_ms;    /* monotonic time the done list last became non-empty */
  pthread_cond_t wake;
  pthread_t thread;
  int started;
};

struct queue_job_control {
  struct queue_worker *worker;
  struct queue_job *job;
  volatile int cancelled;
};

/* What the handler's run came to, in the step script's terms. */
struct job_outcome {
  char kind;            /* 'c' completed, 'f' failed for good, 'd' retry after backoff, 'r' retry now,
                           'h' handed back (QUEUE_HANDLER_DEFER): delayed for backoff_ms, no attempt counted */
  char *value;          /* returnvalue JSON or failedReason (malloc'd) */
  char *stack_line;     /* the new stacktrace entry (malloc'd), failures only */
  long backoff_ms;
};

struct slot {
  struct queue_job *job;
  struct queue_job_control control;
  struct job_outcome outcome;
  long atm;             /* the hash's "atm" when the job was taken; the finish writes atm + 1 */
  long lane;            /* the lane that took it, and writes its outcome */
  int64_t renewed_ms;   /* monotonic time of the last lock renewal that worked */
  int released;         /* given back at shutdown: its outcome is dropped */
  int pins;             /* > 0 while a thread uses the slot with the lock dropped: it is freed only after */
  int finished;         /* written to Redis and out of the held list; freed when the last pin goes */
  struct slot *next_ready, *next_done;
  struct slot *prev, *next;  /* the list of every held slot */
};

struct queue_worker {
  struct queue_worker_options options;
  char token_base[48];
  unsigned long long step_calls;        /* each step call's jobs get tokens "<token_base>-<n>:<id>:<ats>" */
  char client_name[300];
  pthread_t waker, *handlers;
  long handler_count;
  int waker_started;
  struct worker_lane lanes[WORKER_LANES];
  long lane_count;

  pthread_mutex_t lock;
  pthread_cond_t handlers_wake, waker_wake, sleepers_wake;
  struct slot *held;                    /* every slot */
  long held_count;                      /* of every lane */
  struct slot *ready_head, *ready_tail; /* waiting for a handler thread */
  long handlers_idle;                   /* handler threads blocked on handlers_wake */
  long handlers_waking;                 /* of those, signalled and not yet running (at most one) */
  int fetch_wanted;                     /* the marker (or a timeout) says: look for jobs */
  int64_t next_due_ms;                  /* wall time of the earliest delayed job, -1 if none known */
  int stopping, handlers_exit, waker_done;
  int released_all;                     /* past the grace time, every held job was given back */
  int64_t grace_deadline_ms;            /* monotonic */
  long long waker_client_id;            /* CLIENT ID of the blocking connection, 0 while unknown */
  struct queue_worker_stats stats;
};

/* Runs the handler on one job and fills slot->outcome (queue_worker_job.c). Never fails: whatever goes
 * wrong becomes the job's failure. */
void worker_run_job(struct queue_worker *worker, struct slot *slot);

void worker_outcome_free(struct job_outcome *outcome);

/* Slots (queue_worker_step.c); all with the lock held. worker_retire takes a finished slot out of the held
 * list and frees it unless pinned; worker_unpin drops a pin and frees a finished slot with the last one. */
void worker_slot_free(struct slot *slot);
void worker_held_remove(struct queue_worker *worker, struct slot *slot);
void worker_retire(struct queue_worker *worker, struct slot *slot);
void worker_unpin(struct slot *slot);

/* Redis calls (queue_worker_step.c), with the lock held; each drops it around the call.
 * worker_step: finish what the lane's done list holds and take new jobs for it (-1 when Redis failed).
 * worker_finish_directly: a handler thread's finish of the only job in flight in its lane, with *next the job
 * it takes (1 when the slot was dealt with, 0 when it must go to the lane's thread).
 * worker_release_all: past the grace time, cancel every held job and give it back to the queue (conn NULL:
 * Redis is unreachable; the jobs are only cancelled, and the stalled check recovers them).
 * worker_drop_released: forget finished jobs that were released, in every lane (no Redis call). */
int worker_step(struct queue_worker *worker, struct worker_lane *lane, struct redis_conn *conn,
                struct growth_error *err);
int worker_finish_directly(struct queue_worker *worker, struct slot *slot, struct slot **next);
void worker_renew_locks(struct queue_worker *worker, struct redis_conn *conn);
void worker_check_stalled(struct queue_worker *worker, struct redis_conn *conn);
void worker_release_all(struct queue_worker *worker, struct redis_conn *conn);
void worker_drop_released(struct queue_worker *worker);

/* Wakes one idle handler thread when jobs are ready and no other wake-up is under way (queue_worker.c);
 * with the lock held. The woken thread passes the wake-up on while more jobs are ready, so a batch of fast
 * jobs is run by the few threads that are awake instead of one wake-up per job. */
void worker_wake_handler(struct queue_worker *worker);

/* Puts a finished slot at the end of its lane's done list; with the lock held. */
void worker_push_done(struct queue_worker *worker, struct slot *slot);

/* Wakes every lane's thread (new jobs to look for, or the stop); with the lock held. */
void worker_wake_lanes(struct queue_worker *worker);

/* The waker thread (queue_wakeup.c). */
void *worker_wakeup_main(void *arg);

/* Waits on cond until the monotonic deadline (ms) with worker->lock held. */
void worker_wait_until(struct queue_worker *worker, pthread_cond_t *cond, int64_t deadline_ms);

#endif
