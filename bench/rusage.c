/*
 * rusage: run one command as this process's only child, and say what the kernel measured.
 *
 *     rusage CMD [ARG ...]
 *
 * The command keeps this process's stdin, stdout and stderr. When it has exited, one line
 * goes to stderr, after anything the command wrote there:
 *
 *     \0rusage STATUS UTIME_US STIME_US MAXRSS_KIB
 *
 * and this process exits with the command's status (128 + the signal, if it was killed).
 *
 * Why: Node gives no child's CPU time (process.cpuUsage() and process.resourceUsage() are
 * the Node process's own), and /proc/<pid>/stat of a child is gone by the time execFile
 * calls back, so bench/extension.mjs starts each child through this wrapper, which takes
 * the figures from wait4() as bench/spawn.c does. The wrapper adds one small exec to each
 * child's start; extension.mjs measures wall time in separate rounds without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: rusage CMD [ARG ...]\n");
        return 2;
    }
    pid_t pid;
    int error = posix_spawnp(&pid, argv[1], NULL, NULL, &argv[1], environ);
    if (error != 0) {
        fprintf(stderr, "rusage: %s: %s\n", argv[1], strerror(error));
        return 127;
    }
    int status;
    struct rusage usage;
    pid_t done;
    do {
        done = wait4(pid, &status, 0, &usage);
    } while (done == -1 && errno == EINTR);
    if (done == -1) {
        perror("rusage: wait4");
        return 127;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(stderr, "\n%crusage %d %lld %lld %ld\n", 0, code,
            (long long)usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec,
            (long long)usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec, usage.ru_maxrss);
    return code;
}
