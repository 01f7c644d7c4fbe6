/* net/pool.c — a fixed thread pool with a bounded backlog. A job's work() runs on a pool
 * thread; its done() is then posted to the job's loop through the wake channel, so results
 * are always consumed on the loop's thread. Layer: net. */
#include <harv/net.h>

#include <pthread.h>
#include <stdlib.h>

struct net_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    net_job_t *head, *tail;
    unsigned queued, backlog, nthreads;
    bool stopping;
    pthread_t *threads;
};

static void job_done(net_loop_t *loop, net_task_t *task)
{
    net_job_t *job = (net_job_t *)((char *)task - offsetof(net_job_t, task));
    job->done(loop, job);
}

static void *pool_main(void *arg)
{
    net_pool_t *pool = arg;
    for (;;) {
        pthread_mutex_lock(&pool->mu);
        while (!pool->head && !pool->stopping)
            pthread_cond_wait(&pool->cv, &pool->mu);
        net_job_t *job = pool->head;
        if (!job) {
            pthread_mutex_unlock(&pool->mu);
            return NULL;
        }
        pool->head = job->next;
        if (!pool->head)
            pool->tail = NULL;
        pool->queued--;
        pthread_mutex_unlock(&pool->mu);

        job->work(job);
        if (job->done && job->loop) {
            job->task.run = job_done;
            net_loop_post(job->loop, &job->task);
        }
    }
}

net_pool_t *net_pool_new(unsigned threads, unsigned backlog)
{
    if (threads == 0)
        return NULL;
    net_pool_t *pool = base_xcalloc(1, sizeof *pool);
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv, NULL);
    pool->backlog = backlog;
    pool->threads = base_xcalloc(threads, sizeof *pool->threads);
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&pool->threads[i], NULL, pool_main, pool) != 0)
            break;
        pool->nthreads++;
    }
    if (pool->nthreads == 0) {
        net_pool_free(pool);
        return NULL;
    }
    return pool;
}

int net_pool_submit(net_pool_t *pool, net_job_t *job)
{
    pthread_mutex_lock(&pool->mu);
    if (pool->queued >= pool->backlog || pool->stopping) {
        pthread_mutex_unlock(&pool->mu);
        return BASE_LIMIT;
    }
    job->next = NULL;
    if (pool->tail)
        pool->tail->next = job;
    else
        pool->head = job;
    pool->tail = job;
    pool->queued++;
    pthread_cond_signal(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
    return BASE_OK;
}

void net_pool_free(net_pool_t *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->mu);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
    for (unsigned i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->cv);
    free(pool->threads);
    free(pool);
}
