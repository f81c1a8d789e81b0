/*
 * spawn: run one or more commands at once, wait for all of them, and report what the
 * kernel measured for each.
 *
 *     spawn CMD [ARG ...] [--- CMD [ARG ...] ...]
 *
 * All commands are started together (stdin and stdout on /dev/null, stderr kept) and
 * waited for together. The output is one line:
 *
 *     WALL_NS  then, per command:  STATUS UTIME_US STIME_US MAXRSS_KIB
 *
 * Why a C launcher: the peak RSS the kernel reports for a child (ru_maxrss from
 * wait4) is at least the high-water mark of the memory the child was started from,
 * because exec keeps the larger of the old and the new address space's peaks
 * (setmax_mm_hiwater_rss in fs/exec.c). A Python parent (~9 MiB, far more with
 * matplotlib loaded) would make every child look as big as itself. This program's
 * own peak is about 1 MiB, well under any Python interpreter's, so the figure is the
 * child's own. CPU time comes from the same wait4 call, in microseconds, and counts
 * every thread of the child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_COMMANDS 16

int main(int argc, char **argv) {
    char **starts[MAX_COMMANDS];
    int count = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: spawn CMD [ARG ...] [--- CMD [ARG ...] ...]\n");
        return 2;
    }
    starts[count++] = &argv[1];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "---") == 0) {
            argv[i] = NULL;
            if (i + 1 >= argc || count == MAX_COMMANDS) {
                fprintf(stderr, "spawn: empty command or too many commands\n");
                return 2;
            }
            starts[count++] = &argv[i + 1];
        }
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);

    pid_t pids[MAX_COMMANDS];
    int statuses[MAX_COMMANDS];
    struct rusage usages[MAX_COMMANDS];
    struct timespec begin, end;

    clock_gettime(CLOCK_MONOTONIC, &begin);
    for (int i = 0; i < count; i++) {
        int error = posix_spawn(&pids[i], starts[i][0], &actions, NULL, starts[i], environ);
        if (error != 0) {
            fprintf(stderr, "spawn: %s: %s\n", starts[i][0], strerror(error));
            return 127;
        }
    }
    for (int left = count; left > 0; left--) {
        int status;
        struct rusage usage;
        pid_t pid;
        do {
            pid = wait4(-1, &status, 0, &usage);
        } while (pid == -1 && errno == EINTR);
        if (pid == -1) {
            perror("spawn: wait4");
            return 127;
        }
        for (int i = 0; i < count; i++) {
            if (pids[i] == pid) {
                statuses[i] = status;
                usages[i] = usage;
            }
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);

    long long wall = (long long)(end.tv_sec - begin.tv_sec) * 1000000000LL + (end.tv_nsec - begin.tv_nsec);
    printf("%lld", wall);
    for (int i = 0; i < count; i++) {
        int code = WIFEXITED(statuses[i]) ? WEXITSTATUS(statuses[i]) : 128 + WTERMSIG(statuses[i]);
        printf(" %d %lld %lld %ld", code,
               (long long)usages[i].ru_utime.tv_sec * 1000000LL + usages[i].ru_utime.tv_usec,
               (long long)usages[i].ru_stime.tv_sec * 1000000LL + usages[i].ru_stime.tv_usec,
               usages[i].ru_maxrss);
    }
    printf("\n");
    return 0;
}
